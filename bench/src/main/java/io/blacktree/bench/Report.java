package io.blacktree.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's figures: each one printed at once as a labelled line {@code name: value} and kept, grouped by
 * section, for BENCHMARKS.md. Sections also keep free-text notes (conditions, sizes, what was a stand-in).
 */
final class Report {
  /** One labelled figure. */
  record Figure(String name, String value) {}

  private final Map<String, List<Figure>> figures = new LinkedHashMap<>();
  private final Map<String, List<String>> notes = new LinkedHashMap<>();
  private String section = "setup";

  void section(String title) {
    section = title;
    figures.computeIfAbsent(title, k -> new ArrayList<>());
    notes.computeIfAbsent(title, k -> new ArrayList<>());
    System.out.println();
    System.out.println("## " + title);
  }

  void figure(String name, String value) {
    figures.computeIfAbsent(section, k -> new ArrayList<>()).add(new Figure(name, value));
    System.out.println(name + ": " + value);
    System.out.flush();
  }

  void note(String text) {
    notes.computeIfAbsent(section, k -> new ArrayList<>()).add(text);
    System.out.println("# " + text);
  }

  List<Figure> figures(String title) {
    return figures.getOrDefault(title, List.of());
  }

  List<String> notes(String title) {
    return notes.getOrDefault(title, List.of());
  }

  Iterable<String> sections() {
    return figures.keySet();
  }

  /** All labelled lines, in order, as printed. */
  String lines() {
    StringBuilder sb = new StringBuilder();
    figures.forEach((s, list) -> list.forEach(f -> sb.append(f.name()).append(": ").append(f.value()).append('\n')));
    return sb.toString();
  }

  void writeLines(Path file) throws IOException {
    Files.writeString(file, lines());
  }

  static String ms(double millis) {
    return String.format(java.util.Locale.ROOT, "%.0f ms", millis);
  }

  static String ratio(double r) {
    return String.format(java.util.Locale.ROOT, "%.2fx", r);
  }

  static String num(double v, int decimals) {
    return String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
  }
}
