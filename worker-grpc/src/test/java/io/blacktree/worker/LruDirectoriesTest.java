package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Least-recently-used eviction of cache directories under a byte bound, on real directories. */
class LruDirectoriesTest {
  @TempDir Path dir;
  private final List<String> removed = new ArrayList<>();

  @Test
  void evict_overTheBound_removesOldestUntilWithin() throws Exception {
    LruDirectories.Entry oldest = entry("a", 60, "2020-01-01T00:00:00Z");
    LruDirectories.Entry older = entry("b", 60, "2021-01-01T00:00:00Z");
    LruDirectories.Entry newest = entry("c", 60, "2022-01-01T00:00:00Z");

    LruDirectories.evict(List.of(newest, oldest, older), newest.dir(), 130, this::delete);

    assertThat(oldest.dir()).doesNotExist();
    assertThat(older.dir()).exists();
    assertThat(newest.dir()).exists();
    assertThat(removed).containsExactly("a");
  }

  @Test
  void evict_withinTheBound_removesNothing() throws Exception {
    LruDirectories.Entry a = entry("a", 60, "2020-01-01T00:00:00Z");
    LruDirectories.Entry b = entry("b", 60, "2021-01-01T00:00:00Z");

    LruDirectories.evict(List.of(a, b), b.dir(), 120, this::delete);

    assertThat(a.dir()).exists();
    assertThat(b.dir()).exists();
    assertThat(removed).isEmpty();
  }

  @Test
  void evict_keptEntryOldestAndAloneOverTheBound_keptAndOthersRemoved() throws Exception {
    LruDirectories.Entry inUse = entry("in-use", 500, "2019-01-01T00:00:00Z");
    LruDirectories.Entry other = entry("other", 60, "2020-01-01T00:00:00Z");

    LruDirectories.evict(List.of(inUse, other), inUse.dir(), 100, this::delete);

    assertThat(inUse.dir()).exists();
    assertThat(other.dir()).doesNotExist();
  }

  @Test
  void evict_entryLockedByAnotherJob_skippedAndNextOldestRemoved() throws Exception {
    LruDirectories.Entry locked = entry("locked", 60, "2020-01-01T00:00:00Z");
    LruDirectories.Entry next = entry("next", 60, "2021-01-01T00:00:00Z");
    LruDirectories.Entry current = entry("current", 60, "2022-01-01T00:00:00Z");
    Path lockFile = dir.resolve("locked.lock");

    try (MirrorLock held = MirrorLock.tryAcquire(lockFile)) {
      assertThat(held).isNotNull();
      LruDirectories.evict(List.of(locked, next, current), current.dir(), 130, e -> {
        try (MirrorLock l = MirrorLock.tryAcquire(dir.resolve(e.dir().getFileName() + ".lock"))) {
          return l != null && delete(e);
        }
      });
    }

    assertThat(locked.dir()).exists();
    assertThat(next.dir()).doesNotExist();
    assertThat(current.dir()).exists();
  }

  @Test
  void evict_entryOfUnknownSize_removedWithinTheBoundUnlessKept() throws Exception {
    LruDirectories.Entry unfinished = unfinished("u", "2022-01-01T00:00:00Z");
    LruDirectories.Entry unfinishedInUse = unfinished("w", "2020-01-01T00:00:00Z");
    LruDirectories.Entry done = entry("d", 10, "2021-01-01T00:00:00Z");

    LruDirectories.evict(List.of(unfinished, unfinishedInUse, done), unfinishedInUse.dir(), 1_000, this::delete);

    assertThat(unfinished.dir()).doesNotExist();
    assertThat(unfinishedInUse.dir()).exists();
    assertThat(done.dir()).exists();
  }

  @Test
  void entry_markerPresent_lastUseIsTheMarkersTime() throws Exception {
    Path d = Files.createDirectories(dir.resolve("m"));
    Path marker = Files.writeString(dir.resolve("m.lock"), "");
    Files.setLastModifiedTime(d, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
    Files.setLastModifiedTime(marker, FileTime.from(Instant.parse("2024-01-01T00:00:00Z")));

    assertThat(LruDirectories.entry(d, marker, Optional.of(1L)).used().toInstant())
        .isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
  }

  @Test
  void entry_noMarker_lastUseIsTheDirectorysTime() throws Exception {
    Path d = Files.createDirectories(dir.resolve("m"));
    Files.setLastModifiedTime(d, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

    assertThat(LruDirectories.entry(d, dir.resolve("m.lock"), Optional.of(1L)).used().toInstant())
        .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
  }

  /** A directory holding {@code bytes} of file, its marker last modified at {@code used}. */
  private LruDirectories.Entry entry(String name, int bytes, String used) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    Files.writeString(d.resolve("f.txt"), "x".repeat(bytes));
    Path marker = Files.writeString(dir.resolve(name + ".marker"), "");
    Files.setLastModifiedTime(marker, FileTime.from(Instant.parse(used)));
    return LruDirectories.entry(d, marker, Optional.of((long) bytes));
  }

  /** A directory of unknown size (no marker), last modified at {@code used}. */
  private LruDirectories.Entry unfinished(String name, String used) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    Files.writeString(d.resolve("half.txt"), "half");
    Files.setLastModifiedTime(d, FileTime.from(Instant.parse(used)));
    return LruDirectories.entry(d, dir.resolve(name + ".marker"), Optional.empty());
  }

  private boolean delete(LruDirectories.Entry e) throws java.io.IOException {
    Workspace.deleteTree(e.dir());
    removed.add(e.dir().getFileName().toString());
    return true;
  }
}
