package io.blacktree.worker;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts, from buildctl's {@code --progress=plain} lines, the Dockerfile steps BuildKit did not run: those its
 * local cache served and those it loaded from the registry cache.
 *
 * <p>The two look different in the progress. A step the local cache serves is one {@code #N CACHED} line. A step
 * loaded from the imported registry cache is never run: its vertex shows only the transfer and extraction of its
 * layers ({@code #N sha256:... done}, {@code #N extracting sha256:...}) and ends {@code #N DONE}, without output
 * lines. Such a remote step's ancestors in the same chain come down with its layers and show as {@code CACHED},
 * and a remote step whose layers are never needed on this host (the registry already holds them and no later
 * step runs on top of them) shows as {@code CACHED} too; both count as cached, not as remote. The remote count is
 * therefore a lower bound: every step it counts came from the registry cache. {@code FROM} steps pull base images
 * and are neither.
 */
final class StepReuse {
  /** Steps not run: {@code cached} in all, of which {@code remote} loaded from the registry cache. */
  record Counts(int cached, int remote) {}

  private static final Pattern LINE = Pattern.compile("^#(\\d+) (.*)$");
  private static final Pattern STEP_NAME = Pattern.compile("^\\[[^\\]]*\\d+/\\d+\\] (\\S+)");
  private static final Pattern TRANSFER = Pattern.compile("^(extracting )?sha256:[0-9a-f]{64}( .*)?$");
  private static final Pattern DONE = Pattern.compile("^DONE( [0-9.]+s)?$");

  private final Map<String, Vertex> vertices = new LinkedHashMap<>();

  /** One buildctl progress line, in order. */
  synchronized void accept(String line) {
    Matcher m = LINE.matcher(line.stripTrailing());
    if (!m.matches()) {
      return;
    }
    String text = m.group(2);
    Vertex v = vertices.get(m.group(1));
    if (v == null) {
      Matcher step = STEP_NAME.matcher(text);
      vertices.put(m.group(1), new Vertex(text, step.find() && !"FROM".equalsIgnoreCase(step.group(1))));
      return;
    }
    if (text.equals(v.header) || text.equals("...")) {
      return;
    }
    if (text.equals("CACHED")) {
      v.cached = true;
    } else if (DONE.matcher(text).matches()) {
      v.done = true;
    } else if (TRANSFER.matcher(text).matches()) {
      v.transferred = true;
    } else {
      v.other = true;
    }
  }

  /** What the lines so far say. */
  synchronized Counts counts() {
    int cached = 0;
    int remote = 0;
    for (Vertex v : vertices.values()) {
      if (!v.step) {
        continue;
      }
      if (v.transferred && v.done && !v.other) {
        remote++;
        cached++;
      } else if (v.cached) {
        cached++;
      }
    }
    return new Counts(cached, remote);
  }

  private static final class Vertex {
    final String header;
    final boolean step;
    boolean cached;
    boolean done;
    boolean transferred;
    boolean other;

    Vertex(String header, boolean step) {
      this.header = header;
      this.step = step;
    }
  }
}
