package io.blacktree.e2e.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a soak run's figures into RELIABILITY.md as labelled lines ({@code label: value}), replacing what lies
 * between the markers {@code <!-- M:start -->} and {@code <!-- M:end -->} of the run's mode (M is
 * {@code soak-report} or {@code cluster-soak-report}); the rest of the file (method, fault kinds, definitions,
 * the other mode's section) stays.
 */
final class ReliabilityReport {
  private ReliabilityReport() {}

  static String start(String marker) {
    return "<!-- " + marker + ":start -->";
  }

  static String end(String marker) {
    return "<!-- " + marker + ":end -->";
  }

  /** {@code document} with the section between {@code marker}'s lines replaced by {@code lines} in a code block. */
  static String replaceSection(String document, String marker, List<String> lines) {
    int s = document.indexOf(start(marker));
    int e = document.indexOf(end(marker));
    if (s < 0 || e < s) {
      throw new IllegalArgumentException("RELIABILITY.md has no " + start(marker) + " ... " + end(marker)
          + " section");
    }
    StringBuilder sb = new StringBuilder(document.substring(0, s + start(marker).length())).append("\n```\n");
    lines.forEach(l -> sb.append(l).append('\n'));
    sb.append("```\n");
    return sb.append(document.substring(e)).toString();
  }

  /**
   * The labelled lines of a run, each label after {@code prefix}. {@code figures} keep their order; problems
   * follow, one per line.
   */
  static List<String> lines(String prefix, Map<String, Object> figures, Reconciler.Verdict verdict) {
    List<String> out = new ArrayList<>();
    figures.forEach((k, v) -> out.add(prefix + k + ": " + v));
    for (String p : verdict.lost()) {
      out.add(prefix + "lost: " + p);
    }
    for (String p : verdict.duplicated()) {
      out.add(prefix + "duplicated: " + p);
    }
    for (String p : verdict.invalidNotInDlq()) {
      out.add(prefix + "invalid-not-in-dlq: " + p);
    }
    for (String p : verdict.leftovers()) {
      out.add(prefix + "leftover: " + p);
    }
    return out;
  }

  static void write(Path file, String marker, List<String> lines) throws IOException {
    String doc = Files.readString(file, StandardCharsets.UTF_8);
    Files.writeString(file, replaceSection(doc, marker, lines), StandardCharsets.UTF_8);
  }
}
