package io.blacktree.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Keeps a job's log within a byte budget: the first lines (head) and the latest lines (tail), and counts
 * the lines dropped between them. Each line is redacted and cut to a maximum length on the way in.
 * Rendering gives head, a {@code ... N lines dropped ...} marker, and tail. Thread-safe.
 */
public final class LogBuffer {
  /** Comfortably under Temporal's payload limits. */
  public static final int DEFAULT_MAX_BYTES = 64 * 1024;
  private static final int MAX_LINE_BYTES = 2048;

  private final int headBudget;
  private final int tailBudget;
  private final SecretRedactor redactor;
  private final List<String> head = new ArrayList<>();
  private final Deque<String> tail = new ArrayDeque<>();
  private int headBytes;
  private int tailBytes;
  private long dropped;
  private long total;

  public LogBuffer(int maxBytes, SecretRedactor redactor) {
    if (maxBytes < 256) {
      throw new IllegalArgumentException("maxBytes must be at least 256");
    }
    int body = maxBytes - 64; // room for the dropped-lines marker
    this.headBudget = body / 4;
    this.tailBudget = body - headBudget;
    this.redactor = redactor;
  }

  public LogBuffer(SecretRedactor redactor) {
    this(DEFAULT_MAX_BYTES, redactor);
  }

  /** Adds one line (or several, split on newlines); returns the lines as stored (redacted, cut). */
  public synchronized List<String> add(String text) {
    List<String> stored = new ArrayList<>();
    for (String raw : text.split("\r?\n|\r", -1)) {
      if (raw.isEmpty() && text.endsWith("\n")) {
        continue;
      }
      String line = cut(redactor.redact(raw));
      append(line);
      stored.add(line);
    }
    return stored;
  }

  private void append(String line) {
    total++;
    int size = bytes(line) + 1;
    if (dropped == 0 && tail.isEmpty() && headBytes + size <= headBudget) {
      head.add(line);
      headBytes += size;
      return;
    }
    tail.addLast(line);
    tailBytes += size;
    while (tailBytes > tailBudget && !tail.isEmpty()) {
      tailBytes -= bytes(tail.removeFirst()) + 1;
      dropped++;
    }
  }

  public synchronized long droppedLines() {
    return dropped;
  }

  public synchronized long totalLines() {
    return total;
  }

  /** The last {@code n} lines kept (for heartbeats and error summaries). */
  public synchronized List<String> lastLines(int n) {
    List<String> all = new ArrayList<>(head);
    all.addAll(tail);
    return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
  }

  /** Head, a marker naming the count of dropped lines when any were, and tail; within the byte budget. */
  public synchronized String render() {
    StringBuilder sb = new StringBuilder();
    head.forEach(l -> sb.append(l).append('\n'));
    if (dropped > 0) {
      sb.append("... ").append(dropped).append(" lines dropped ...\n");
    }
    tail.forEach(l -> sb.append(l).append('\n'));
    return sb.toString();
  }

  private static String cut(String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    if (b.length <= MAX_LINE_BYTES) {
      return line;
    }
    String s = new String(b, 0, MAX_LINE_BYTES, StandardCharsets.UTF_8);
    // a cut through a multi-byte character leaves U+FFFD at the end; drop it
    if (s.endsWith("\uFFFD")) {
      s = s.substring(0, s.length() - 1);
    }
    return s + " [cut]";
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
