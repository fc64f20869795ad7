package io.blacktree.worker;

import io.blacktree.worker.JobFailure.PolicyFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Resolves a request's relative path (dockerfile, context) inside a checkout and refuses anything that
 * leaves it: absolute paths, {@code ..}, and symlinks (at any depth) that point outside the checkout.
 */
final class CheckoutPaths {
  private CheckoutPaths() {}

  /**
   * The real path of {@code relative} inside {@code checkout}.
   *
   * @return the resolved path (which may not exist; existence is the caller's question)
   * @throws PolicyFailure if the path, or any symlink on the way, leads out of the checkout
   */
  static Path resolveInside(Path checkout, String field, String relative) throws PolicyFailure {
    Path root;
    try {
      root = checkout.toRealPath();
    } catch (IOException e) {
      throw new PolicyFailure(field + ": checkout is not readable");
    }
    Path rel = Path.of(relative).normalize();
    if (rel.isAbsolute() || rel.startsWith("..")) {
      throw new PolicyFailure(field + ": must stay inside the checkout");
    }
    Path current = root;
    for (Path part : rel) {
      current = current.resolve(part);
      if (Files.isSymbolicLink(current)) {
        current = realOrNormalized(current);
      }
      if (!current.startsWith(root)) {
        throw new PolicyFailure(field + ": '" + relative + "' leads out of the checkout (symlink)");
      }
    }
    return current;
  }

  private static Path realOrNormalized(Path link) {
    try {
      return link.toRealPath();
    } catch (IOException e) {
      try {
        Path target = Files.readSymbolicLink(link);
        return link.getParent().resolve(target).normalize();
      } catch (IOException ex) {
        return link.toAbsolutePath().normalize();
      }
    }
  }

  /** True if {@code p} is a regular file (not following a final symlink out: callers resolve first). */
  static boolean isFile(Path p) {
    return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(p);
  }
}
