package io.blacktree.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Puts what the worker wrote on the disk itself, not just in the page cache, so that a power loss cannot leave a
 * record that claims more than the disk holds: a file's content ({@link #force}), a directory's entries (names
 * created, renamed or removed in it: {@link #forceDirectory}), and a small file replaced whole or not at all
 * ({@link #replace}). A process crash needs none of this (the page cache outlives the process); a power loss or a
 * kernel crash loses whatever was not forced.
 */
final class Durable {
  private Durable() {}

  /** Forces {@code file}'s content and metadata to the disk. */
  static void force(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Forces {@code dir}'s entries to the disk: names created, renamed or removed in it are then there. */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Replaces {@code file} with {@code content} atomically and durably: written to a temporary file beside it, forced,
   * renamed over it, then the directory forced. After a crash or power loss the file holds the old content or the new,
   * never a part, and once this returns it holds the new.
   */
  static void replace(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        ch.write(bytes);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(file.toAbsolutePath().getParent());
  }
}
