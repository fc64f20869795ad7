package io.blacktree.cli;

import java.util.List;

/** Which lines of a sliding window of "latest lines" are new since the previous window. */
final class LineTail {
  private LineTail() {}

  /** The lines of {@code current} after the longest suffix of {@code previous} that begins it. */
  static List<String> newLines(List<String> previous, List<String> current) {
    int max = Math.min(previous.size(), current.size());
    for (int overlap = max; overlap > 0; overlap--) {
      if (previous.subList(previous.size() - overlap, previous.size()).equals(current.subList(0, overlap))) {
        return current.subList(overlap, current.size());
      }
    }
    return current;
  }
}
