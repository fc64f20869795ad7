package io.blacktree.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with columns as wide as their widest cell. */
final class Table {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private final String[] headers;
  private final List<String[]> rows = new ArrayList<>();

  Table(String... headers) {
    this.headers = headers;
  }

  void add(String... cells) {
    rows.add(cells);
  }

  void print(PrintWriter out) {
    int[] widths = new int[headers.length];
    for (int i = 0; i < headers.length; i++) {
      widths[i] = headers[i].length();
      for (String[] row : rows) {
        widths[i] = Math.max(widths[i], cell(row, i).length());
      }
    }
    line(out, headers, widths);
    for (String[] row : rows) {
      line(out, row, widths);
    }
    out.flush();
  }

  private static void line(PrintWriter out, String[] cells, int[] widths) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      String cell = cell(cells, i);
      b.append(cell);
      if (i < widths.length - 1) {
        b.append(" ".repeat(widths[i] - cell.length() + 2));
      }
    }
    out.println(b.toString().stripTrailing());
  }

  private static String cell(String[] row, int i) {
    return i < row.length && row[i] != null ? row[i] : "-";
  }

  static String time(Instant instant) {
    return instant == null ? null : TIME.format(instant);
  }

  /** Elapsed from start to end (or to now while running), e.g. {@code 1m05s}. */
  static String duration(Instant start, Instant end) {
    if (start == null) {
      return null;
    }
    return format(Duration.between(start, end == null ? Instant.now() : end));
  }

  static String format(Duration d) {
    long s = Math.max(0, d.getSeconds());
    return s >= 3600 ? String.format("%dh%02dm%02ds", s / 3600, (s % 3600) / 60, s % 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
