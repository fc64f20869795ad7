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
 * One job's private directory under the worker's workdir, for what the job writes (build metadata, the build's
 * registry configuration). The checkout (the build context is read from it, never written) is {@code job-<n>/src},
 * or the repository's tree the worker keeps between jobs ({@link KeptSources}), which outlives the job.
 * {@link #close()} removes the job's directory; the runner closes it in every outcome. The workdir belongs to one
 * worker: {@link #removeStale} deletes every {@code job-*} left over from a previous run of the process.
 */
public final class Workspace implements AutoCloseable {
  static final String PREFIX = "job-";
  private final Path root;
  private final Path checkout;

  private Workspace(Path root, Path checkout) {
    this.root = root;
    this.checkout = checkout;
  }

  /**
   * Creates a fresh, empty workspace under {@code workdir} whose checkout is {@code keptTree} (null: {@code src}
   * inside the workspace).
   */
  static Workspace create(Path workdir, Path keptTree) throws IOException {
    Files.createDirectories(workdir);
    Path root = Files.createTempDirectory(workdir, PREFIX);
    return new Workspace(root, keptTree != null ? keptTree : root.resolve("src"));
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

  /** Where the repository is checked out: the job's {@code src}, or the repository's kept tree. */
  public Path checkout() {
    return checkout;
  }

  /** True when the checkout is a tree the worker keeps between jobs (it outlives this workspace). */
  boolean checkoutKept() {
    return !checkout.startsWith(root);
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
