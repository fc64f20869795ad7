package io.blacktree.worker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * An exclusive lock on one mirror, held through a {@link FileLock} on its lock file, so that jobs of several
 * workers (processes or, in tests, several workers in one JVM) never fetch into or read from one mirror at
 * the same time. Acquired by polling {@code tryLock}: that both waits for other processes and copes with
 * another holder in this JVM (where {@code lock} would throw {@link OverlappingFileLockException}), and lets
 * a stopped job give up. Lock files are never deleted (deleting one would let two holders lock two files).
 */
final class MirrorLock implements AutoCloseable {
  private static final long POLL_MILLIS = 25;
  private final FileChannel channel;
  private final FileLock lock;

  private MirrorLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Thrown when the lock was not obtained before the deadline or the job stopped waiting. */
  static final class NotAcquired extends IOException {
    NotAcquired(String message) {
      super(message);
    }
  }

  /** Waits (polling) until the lock is held, {@code stop} says to give up, or {@code deadline} passes. */
  static MirrorLock acquire(Path lockFile, BooleanSupplier stop, Instant deadline) throws IOException {
    FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      while (true) {
        FileLock l = tryLock(ch);
        if (l != null) {
          return new MirrorLock(ch, l);
        }
        if (stop.getAsBoolean() || Instant.now().isAfter(deadline)) {
          throw new NotAcquired("git mirror busy: lock " + lockFile.getFileName() + " not obtained");
        }
        sleep();
      }
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The lock if it is free right now, else null (never waits). */
  static MirrorLock tryAcquire(Path lockFile) throws IOException {
    FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l = tryLock(ch);
    if (l == null) {
      ch.close();
      return null;
    }
    return new MirrorLock(ch, l);
  }

  private static FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /** Marks the mirror as used now (the lock file's mtime is the LRU clock). */
  static void touch(Path lockFile) throws IOException {
    java.nio.file.Files.setLastModifiedTime(lockFile, FileTime.from(Instant.now()));
  }

  private static void sleep() throws IOException {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotAcquired("interrupted while waiting for the git mirror lock");
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
