package io.blacktree.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Writes one commit's tree from a (bare) repository into a directory: what a checkout puts in the work tree,
 * without a {@code .git} (so nothing of git can reach a build context), without running anything. Files get
 * 0644, executables 0755 (as git does with umask 022, and the same every time, so the build cache hits),
 * symlinks stay symlinks, submodules (gitlinks) become empty directories, as git leaves an uninitialised one.
 * Paths with {@code .}, {@code ..}, {@code .git} (any case) or empty components are refused, and so is any
 * entry whose parent directory would pass through a symlink written earlier (a symlink and a directory of the
 * same name, crafted with {@code git mktree}, would otherwise write outside {@code dest}) or that already
 * exists (duplicate names): files are created new, never followed. Refusals are {@link UnsafeTreeException}.
 */
final class TreeExport {
  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> FILE =
      PosixFilePermissions.fromString("rw-r--r--");
  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> EXEC =
      PosixFilePermissions.fromString("rwxr-xr-x");

  private TreeExport() {}

  /** The tree holds a path that could escape the destination or overwrite git metadata. */
  static class UnsafeTreeException extends IOException {
    UnsafeTreeException(String path) {
      super("refusing unsafe path in the repository tree: " + path);
    }

    private UnsafeTreeException(String message, boolean whole) {
      super(message);
    }
  }

  /** The checkout would write more than the configured bound (refused before the blob that crosses it). */
  static final class CheckoutTooLargeException extends UnsafeTreeException {
    CheckoutTooLargeException(String path, long size, long limit) {
      super("the checkout is larger than the limit of " + limit + " bytes (--max-checkout-bytes): " + path
          + " alone is " + size + " bytes", true);
    }

    /** The whole checkout, {@code total} bytes of file content, exceeds {@code limit}. */
    CheckoutTooLargeException(long total, long limit) {
      super("the checkout is larger than the limit of " + limit + " bytes (--max-checkout-bytes): its files hold "
          + total + " bytes", true);
    }
  }

  /** What a write put on disk: tree entries written and the bytes of file content among them. */
  record Written(int entries, long bytes) {}

  /**
   * Writes {@code commit}'s tree into {@code dest} (created if missing), at most {@code maxBytes} of file content
   * (0 = no bound): a tree that needs more is refused with {@link CheckoutTooLargeException} before the blob that would
   * cross the bound is written (its size is read from the object header, the content is never inflated).
   */
  static Written write(Repository repo, ObjectId commit, Path dest, long maxBytes) throws IOException {
    Files.createDirectories(dest);
    Path root = dest.toAbsolutePath().normalize();
    int n = 0;
    long written = 0;
    try (RevWalk rw = new RevWalk(repo); TreeWalk tw = new TreeWalk(repo)) {
      RevCommit c = rw.parseCommit(commit);
      tw.addTree(c.getTree());
      tw.setRecursive(true);
      ObjectReader reader = tw.getObjectReader();
      while (tw.next()) {
        FileMode mode = tw.getFileMode(0);
        ObjectId id = tw.getObjectId(0);
        long size = blobSize(reader, mode, id);
        if (maxBytes > 0 && written + size > maxBytes) {
          throw new CheckoutTooLargeException(tw.getPathString(), size, maxBytes);
        }
        written += size;
        writeEntry(root, tw.getPathString(), mode, id, reader);
        n++;
      }
    }
    return new Written(n, written);
  }

  /** The bytes an entry puts on disk as file content: a regular or executable file's size, else 0. */
  static long blobSize(ObjectReader reader, FileMode mode, ObjectId id) throws IOException {
    if (mode == FileMode.GITLINK || mode == FileMode.SYMLINK) {
      return 0;
    }
    return reader.getObjectSize(id, Constants.OBJ_BLOB);
  }

  /**
   * Writes one entry at {@code path} under {@code root} (absolute, normalized) with every check of this class: the
   * path's components, no symlink or file among its parents, and nothing already there.
   */
  static void writeEntry(Path root, String path, FileMode mode, ObjectId id, ObjectReader reader)
      throws IOException {
    Path out = target(root, path);
    noSymlinkBetween(root, out.getParent(), path);
    Files.createDirectories(out.getParent());
    if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      throw new UnsafeTreeException(path);
    }
    if (mode == FileMode.GITLINK) {
      Files.createDirectories(out);
    } else if (mode == FileMode.SYMLINK) {
      String link = new String(reader.open(id, Constants.OBJ_BLOB).getCachedBytes(), StandardCharsets.UTF_8);
      Files.createSymbolicLink(out, Path.of(link));
    } else {
      try (OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS)) {
        reader.open(id, Constants.OBJ_BLOB).copyTo(os);
      }
      Files.setPosixFilePermissions(out, mode == FileMode.EXECUTABLE_FILE ? EXEC : FILE);
    }
  }

  static void noSymlinkBetween(Path root, Path dir, String path) throws UnsafeTreeException {
    for (Path p = dir; p != null && !p.equals(root) && p.startsWith(root); p = p.getParent()) {
      if (Files.isSymbolicLink(p) || (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p,
          LinkOption.NOFOLLOW_LINKS))) {
        throw new UnsafeTreeException(path);
      }
    }
  }

  static Path target(Path root, String path) throws IOException {
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..") || part.equalsIgnoreCase(".git")) {
        throw new UnsafeTreeException(path);
      }
    }
    Path out = root.resolve(path).normalize();
    if (!out.startsWith(root)) {
      throw new UnsafeTreeException(path);
    }
    return out;
  }
}
