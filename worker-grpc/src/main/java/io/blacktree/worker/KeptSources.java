package io.blacktree.worker;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The source trees one worker keeps between jobs: one directory per repository under {@code root}
 * ({@code <workdir>/sources/<key>}, the key of {@link GitMirrorCache#key}), brought to each job's commit by
 * {@link SourceTree} from the repository's mirror, and built from in place of a fresh checkout, so that files a
 * commit did not change keep their modification times and BuildKit re-sends only the changed ones.
 *
 * <p>A tree holds exactly one commit's files, as {@link TreeExport} writes them: never {@code .git}, never a
 * credential, never anything a job writes (the job's Dockerfile edits, build metadata and registry configuration
 * live in its workspace). The trees belong to this worker alone (its workdir is its own, and it runs one job at a
 * time), so a build reads its tree while no other job can change it; the mirror it is written from is read under
 * the mirror's lock ({@link MirrorLock}). After each checkout the least recently used other trees are deleted
 * until the trees' recorded bytes are within {@code maxBytes}; a tree left without its state file (a job stopped
 * in the middle of an update) is deleted too unless it is the one in use, which is rewritten whole by its next job.
 */
final class KeptSources {
  private final Path root;
  private final long maxBytes;

  KeptSources(Path root, long maxBytes) {
    this.root = root;
    this.maxBytes = maxBytes;
  }

  /** The kept tree of the repository at {@code url} (whether or not it exists yet). */
  Path dirFor(URI url) {
    return root.resolve(GitMirrorCache.key(url));
  }

  /**
   * Deletes least recently used trees other than {@code keep} until the kept bytes are within the bound, and every
   * tree left unfinished (no state file) other than {@code keep} ({@link LruDirectories}).
   */
  void evict(Path keep, Consumer<String> log) throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    List<LruDirectories.Entry> entries = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          entries.add(LruDirectories.entry(p, SourceTree.stateFile(p), SourceTree.heldBytes(p)));
        }
      }
    }
    LruDirectories.evict(entries, keep, maxBytes, e -> {
      SourceTree.discard(e.dir());
      log.accept("source trees: removed " + (e.bytes().isPresent() ? "least recently used" : "unfinished") + " tree "
          + e.dir().getFileName() + " (" + e.bytes().orElse(0L) + " bytes)");
      return true;
    });
  }

  @Override
  public String toString() {
    return "KeptSources[" + root + ", maxBytes=" + maxBytes + "]";
  }
}
