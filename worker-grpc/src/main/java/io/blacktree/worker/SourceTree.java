package io.blacktree.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Brings a directory to one commit's tree, writing only what differs from the commit it already holds, so files
 * that did not change keep their modification times and BuildKit's local-source sync, which compares paths by
 * their stat, re-sends only the changed ones.
 *
 * <p>What a directory holds is recorded in a state file beside it ({@code <dir>.state}: the commit, the bytes of
 * file content and the {@link BootId}), written only after an update finished; it is deleted before an update
 * starts. A directory
 * without a valid state file (first use, a crash or failure in the middle of an update), or whose recorded commit
 * the repository no longer has, is emptied and written whole by {@link TreeExport}. An incremental update diffs the
 * recorded commit's tree against the new one in the repository (blob ids and modes, so a change that keeps the
 * size is seen), removes what went away or changed (deepest first, then directories left empty, so a file may
 * become a directory and back), then writes what is new or changed with every check of {@link TreeExport}
 * ({@code .git}, {@code ..}, no symlink or file on the way, nothing overwritten in place), and refuses, before it
 * touches the directory, a result larger than the checkout bound.
 *
 * <p>A state file written before the machine last booted is not trusted: a power loss or kernel crash may have lost
 * tree writes that were still in the page cache, and the state file cannot say which. Such a tree is written
 * whole. This costs nothing per job, where forcing every written file to the disk cost about 0.3 ms per file (a
 * tree written whole: 0.3-0.5 s more for 1,000 files). A process crash loses nothing from the page cache, so
 * within one boot the state file is as good as the tree it describes.
 */
final class SourceTree {
  /**
   * What an update did: whether it was incremental, the entries written and removed, the bytes of file content the
   * directory now holds.
   */
  record Synced(boolean incremental, int written, int removed, long bytes) {}

  private record State(ObjectId commit, long bytes, String bootId) {}

  private record Change(String path, FileMode mode, ObjectId id) {}

  private SourceTree() {}

  /** The state file of {@code dir}. */
  static Path stateFile(Path dir) {
    return dir.resolveSibling(dir.getFileName() + ".state");
  }

  /**
   * Brings {@code dir} to {@code commit}'s tree from {@code repo}; at most {@code maxBytes} (0 = no bound). An update
   * that fails (a full disk, a tree over the bound, a stop) empties {@code dir} before the error goes on: an unfinished
   * tree would be rewritten whole by the next job anyway, and meanwhile it would hold the space the failure needs back.
   */
  static Synced sync(Repository repo, ObjectId commit, Path dir, long maxBytes) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    Path stateFile = stateFile(root);
    Optional<State> held = readState(stateFile);
    Files.deleteIfExists(stateFile);
    try {
      return update(repo, held, commit, root, stateFile, maxBytes);
    } catch (IOException | RuntimeException e) {
      try {
        Workspace.deleteTree(root);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private static Synced update(Repository repo, Optional<State> held, ObjectId commit, Path root, Path stateFile,
      long maxBytes) throws IOException {
    Synced synced = null;
    if (held.isPresent() && Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)
        && repo.getObjectDatabase().has(held.get().commit())) {
      synced = incremental(repo, held.get(), commit, root, maxBytes);
    }
    if (synced == null) {
      Workspace.deleteTree(root);
      TreeExport.Written w = TreeExport.write(repo, commit, root, maxBytes);
      synced = new Synced(false, w.entries(), 0, w.bytes());
    }
    writeState(stateFile, new State(commit, synced.bytes(), BootId.current()));
    return synced;
  }

  /**
   * Removes {@code dir} and its state file, the state file first, so that a crash in between never leaves a state
   * file describing a tree that is partly gone.
   */
  static void discard(Path dir) throws IOException {
    Files.deleteIfExists(stateFile(dir));
    Workspace.deleteTree(dir);
  }

  /** The diff from what {@code dir} holds to {@code commit}, applied; null when the held tree cannot be read. */
  private static Synced incremental(Repository repo, State held, ObjectId commit, Path root, long maxBytes)
      throws IOException {
    List<Change> removed = new ArrayList<>();
    List<Change> added = new ArrayList<>();
    long bytes = held.bytes();
    try (RevWalk rw = new RevWalk(repo); TreeWalk tw = new TreeWalk(repo)) {
      tw.addTree(rw.parseCommit(held.commit()).getTree());
      tw.addTree(rw.parseCommit(commit).getTree());
      tw.setRecursive(true);
      tw.setFilter(TreeFilter.ANY_DIFF);
      ObjectReader reader = tw.getObjectReader();
      while (tw.next()) {
        if (tw.getRawMode(0) != 0) {
          removed.add(new Change(tw.getPathString(), tw.getFileMode(0), tw.getObjectId(0)));
          bytes -= TreeExport.blobSize(reader, tw.getFileMode(0), tw.getObjectId(0));
        }
        if (tw.getRawMode(1) != 0) {
          added.add(new Change(tw.getPathString(), tw.getFileMode(1), tw.getObjectId(1)));
          bytes += TreeExport.blobSize(reader, tw.getFileMode(1), tw.getObjectId(1));
        }
      }
      if (maxBytes > 0 && bytes > maxBytes) {
        throw new TreeExport.CheckoutTooLargeException(bytes, maxBytes);
      }
      for (int i = removed.size() - 1; i >= 0; i--) {
        remove(root, removed.get(i).path());
      }
      for (Change c : added) {
        TreeExport.writeEntry(root, c.path(), c.mode(), c.id(), reader);
      }
    } catch (MissingObjectException e) {
      return null;
    }
    return new Synced(true, added.size(), removed.size(), bytes);
  }

  /**
   * Removes the entry at {@code path} (a file, symlink or a submodule's directory), never through a symlink, then
   * its parent directories that became empty.
   */
  private static void remove(Path root, String path) throws IOException {
    Path p = TreeExport.target(root, path);
    TreeExport.noSymlinkBetween(root, p.getParent(), path);
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      Workspace.deleteTree(p);
    } else {
      Files.deleteIfExists(p);
    }
    for (Path d = p.getParent(); d != null && !d.equals(root) && d.startsWith(root); d = d.getParent()) {
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) || !isEmpty(d)) {
        return;
      }
      Files.delete(d);
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  /** Written beside the tree, then renamed over the old one: whole or not at all. */
  private static void writeState(Path stateFile, State state) throws IOException {
    Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
    Files.writeString(tmp, state.commit().name() + " " + state.bytes() + " " + state.bootId() + "\n",
        StandardCharsets.UTF_8);
    Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The state file's record; empty when there is none, it cannot be read, or it was written before this boot. */
  private static Optional<State> readState(Path stateFile) {
    try {
      String[] parts = Files.readString(stateFile, StandardCharsets.UTF_8).strip().split(" ");
      if (parts.length != 3 || !ObjectId.isId(parts[0]) || !parts[2].equals(BootId.current())) {
        return Optional.empty();
      }
      return Optional.of(new State(ObjectId.fromString(parts[0]), Long.parseLong(parts[1]), parts[2]));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The bytes of file content {@code dir} holds by its state file; empty when it holds no finished update. */
  static Optional<Long> heldBytes(Path dir) {
    return readState(stateFile(dir)).map(State::bytes);
  }
}
