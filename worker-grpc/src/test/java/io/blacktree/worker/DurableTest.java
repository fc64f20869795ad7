package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes forced to the disk: the atomic replacement of a small file, and forcing files and directories. */
class DurableTest {
  @TempDir Path dir;

  @Test
  void replace_existingFile_holdsTheNewContentAndNoTemporaryIsLeft() throws Exception {
    Path file = Files.writeString(dir.resolve("key.state"), "old content that is longer\n");

    Durable.replace(file, "new\n");

    assertThat(file).hasContent("new");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s).containsExactly(file);
    }
  }

  @Test
  void replace_noFileYet_createsIt() throws Exception {
    Path file = dir.resolve("key.state");

    Durable.replace(file, "abc 3\n");

    assertThat(Files.readString(file)).isEqualTo("abc 3\n");
  }

  @Test
  void force_fileAndDirectory_leaveThemAsTheyWere() throws Exception {
    Path file = Files.writeString(dir.resolve("a.txt"), "a\n");
    var modified = Files.getLastModifiedTime(file);

    Durable.force(file);
    Durable.forceDirectory(dir);

    assertThat(file).hasContent("a");
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);
  }

  @Test
  void forceDirectory_missing_fails() {
    assertThatThrownBy(() -> Durable.forceDirectory(dir.resolve("gone"))).isInstanceOf(NoSuchFileException.class);
  }
}
