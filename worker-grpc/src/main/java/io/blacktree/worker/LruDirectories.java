package io.blacktree.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Least-recently-used eviction of one cache's directories under a byte bound, shared by the worker's git mirrors
 * ({@link GitMirrorCache}) and its kept source trees ({@link KeptSources}). The cache lists its entries, each with
 * when it was last used and the bytes it holds, and says how one is removed; this removes them oldest first until
 * the bytes of those left are within the bound.
 *
 * <p>Never removed: the entry {@code keep} (the one the caller is using, kept even when it alone exceeds the bound)
 * and an entry the cache's {@link Removal} declines because something else is using it; both still count toward
 * the bound, and eviction goes on with the next oldest. An entry of unknown size (left unfinished) is removed
 * whatever the bound.
 */
final class LruDirectories {
  /** One cached directory: when it was last used, and the bytes it holds (empty: unknown, it was left unfinished). */
  record Entry(Path dir, FileTime used, Optional<Long> bytes) {}

  /** Removes one entry unless something is using it, and says whether it did. */
  @FunctionalInterface
  interface Removal {
    boolean removeIfUnused(Entry entry) throws IOException;
  }

  private LruDirectories() {}

  /**
   * The entry {@code dir}, last used when {@code marker} (a file its cache touches on each use) was last modified,
   * or when {@code dir} was when there is no marker.
   */
  static Entry entry(Path dir, Path marker, Optional<Long> bytes) throws IOException {
    FileTime used = Files.exists(marker) ? Files.getLastModifiedTime(marker) : Files.getLastModifiedTime(dir);
    return new Entry(dir, used, bytes);
  }

  /** Removes entries other than {@code keep}, least recently used first, until the rest hold at most {@code maxBytes}. */
  static void evict(List<Entry> entries, Path keep, long maxBytes, Removal removal) throws IOException {
    long total = entries.stream().mapToLong(e -> e.bytes().orElse(0L)).sum();
    List<Entry> oldestFirst = new ArrayList<>(entries);
    oldestFirst.sort(Comparator.comparing(Entry::used));
    for (Entry e : oldestFirst) {
      if (e.dir().equals(keep) || (e.bytes().isPresent() && total <= maxBytes)) {
        continue;
      }
      if (removal.removeIfUnused(e)) {
        total -= e.bytes().orElse(0L);
      }
    }
  }
}
