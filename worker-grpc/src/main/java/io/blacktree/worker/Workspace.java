package io.blacktree.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * One job's private directory under the worker's workdir: {@code job-<n>/src} is the checkout (the build
 * context is streamed from it, never written). {@link #close()} removes it; the runner closes it in every
 * outcome. The workdir belongs to one worker: {@link #removeStale} deletes every {@code job-*} left over
 * from a previous run of the process.
 */
public final class Workspace implements AutoCloseable {
  static final String PREFIX = "job-";
  private final Path root;

  private Workspace(Path root) {
    this.root = root;
  }

  /** Creates a fresh, empty workspace under {@code workdir}. */
  public static Workspace create(Path workdir) throws IOException {
    Files.createDirectories(workdir);
    return new Workspace(Files.createTempDirectory(workdir, PREFIX));
  }

  /** Deletes workspaces left behind by an earlier process (crash, kill). Returns how many. */
  public static int removeStale(Path workdir) throws IOException {
    if (!Files.isDirectory(workdir)) {
      return 0;
    }
    int n = 0;
    try (Stream<Path> children = Files.list(workdir)) {
      for (Path p : (Iterable<Path>) children::iterator) {
        if (p.getFileName().toString().startsWith(PREFIX)) {
          deleteTree(p);
          n++;
        }
      }
    }
    return n;
  }

  public Path root() {
    return root;
  }

  /** Where the repository is checked out. */
  public Path checkout() {
    return root.resolve("src");
  }

  @Override
  public void close() {
    try {
      deleteTree(root);
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove workspace " + root, e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
