package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's kept source trees: one per repository, least recently used ones removed past the bound. */
class KeptSourcesTest {
  @TempDir Path dir;

  @Test
  void dirFor_sameRepositoryWithOrWithoutUserinfo_oneTree() {
    KeptSources kept = new KeptSources(dir, 100);

    assertThat(kept.dirFor(URI.create("https://git.example/o/app")))
        .isEqualTo(kept.dirFor(URI.create("https://user:pw@git.example/o/app")))
        .isNotEqualTo(kept.dirFor(URI.create("https://git.example/o/other")));
  }

  @Test
  void evict_overTheBound_removesLeastRecentlyUsedButNeverTheOneInUse() throws Exception {
    KeptSources kept = new KeptSources(dir, 130);
    Path oldest = tree("a", 60, "2020-01-01T00:00:00Z");
    Path middle = tree("b", 60, "2021-01-01T00:00:00Z");
    Path inUse = tree("c", 60, "2019-01-01T00:00:00Z");
    List<String> log = new ArrayList<>();

    kept.evict(inUse, log::add);

    assertThat(oldest).doesNotExist();
    assertThat(SourceTree.stateFile(oldest)).doesNotExist();
    assertThat(middle).exists();
    assertThat(inUse).exists();
    assertThat(log).singleElement().asString().contains("least recently used", "a", "60 bytes");
  }

  @Test
  void evict_treeLeftWithoutState_removedUnlessInUse() throws Exception {
    KeptSources kept = new KeptSources(dir, 1_000);
    Path unfinished = Files.createDirectories(dir.resolve("u"));
    Files.writeString(unfinished.resolve("half.txt"), "half");
    Path inUse = Files.createDirectories(dir.resolve("c"));
    Path done = tree("d", 10, "2020-01-01T00:00:00Z");

    kept.evict(inUse, s -> { });

    assertThat(unfinished).doesNotExist();
    assertThat(inUse).exists();
    assertThat(done).exists();
  }

  /** A kept tree holding {@code bytes}, last used at {@code used}. */
  private Path tree(String name, long bytes, String used) throws Exception {
    Path t = Files.createDirectories(dir.resolve(name));
    Files.writeString(t.resolve("f.txt"), "x".repeat((int) bytes));
    Path state = SourceTree.stateFile(t);
    Files.writeString(state, "0123456789012345678901234567890123456789 " + bytes + " " + BootId.current() + "\n");
    Files.setLastModifiedTime(state, FileTime.from(Instant.parse(used)));
    return t;
  }
}
