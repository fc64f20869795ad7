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
 * between {@link #START} and {@link #END}; the rest of the file (method, fault kinds, definitions) stays.
 */
final class ReliabilityReport {
  static final String START = "<!-- soak-report:start -->";
  static final String END = "<!-- soak-report:end -->";

  private ReliabilityReport() {}

  /** {@code document} with the section between the markers replaced by {@code lines} in a code block. */
  static String replaceSection(String document, List<String> lines) {
    int s = document.indexOf(START);
    int e = document.indexOf(END);
    if (s < 0 || e < s) {
      throw new IllegalArgumentException("RELIABILITY.md has no " + START + " ... " + END + " section");
    }
    StringBuilder sb = new StringBuilder(document.substring(0, s + START.length())).append("\n```\n");
    lines.forEach(l -> sb.append(l).append('\n'));
    sb.append("```\n");
    return sb.append(document.substring(e)).toString();
  }

  /** The labelled lines of a run. {@code figures} keep their order; problems follow, one per line. */
  static List<String> lines(Map<String, Object> figures, Reconciler.Verdict verdict) {
    List<String> out = new ArrayList<>();
    figures.forEach((k, v) -> out.add(k + ": " + v));
    for (String p : verdict.lost()) {
      out.add("lost: " + p);
    }
    for (String p : verdict.duplicated()) {
      out.add("duplicated: " + p);
    }
    for (String p : verdict.invalidNotInDlq()) {
      out.add("invalid-not-in-dlq: " + p);
    }
    for (String p : verdict.leftovers()) {
      out.add("leftover: " + p);
    }
    return out;
  }

  static void write(Path file, List<String> lines) throws IOException {
    String doc = Files.readString(file, StandardCharsets.UTF_8);
    Files.writeString(file, replaceSection(doc, lines), StandardCharsets.UTF_8);
  }
}
