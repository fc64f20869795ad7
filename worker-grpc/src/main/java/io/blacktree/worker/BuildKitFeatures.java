package io.blacktree.worker;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the BuildKit-only features a Dockerfile uses, so that a classic-builder failure of such a Dockerfile
 * says why ({@code RUN --mount}, heredocs, {@code COPY --chmod}/{@code --link}, a stage no other stage or the
 * final one needs, which the classic builder builds anyway). A heuristic over the text: it only adds a hint to
 * a failure, it never decides one.
 */
final class BuildKitFeatures {
  private static final Pattern FROM = Pattern.compile(
      "^\\s*FROM\\s+(?:--\\S+\\s+)*(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*$", Pattern.CASE_INSENSITIVE);
  private static final Pattern COPY_FROM = Pattern.compile("--from=(\\S+)", Pattern.CASE_INSENSITIVE);

  private BuildKitFeatures() {}

  /**
   * The BuildKit-only features in {@code dockerfile} built up to stage {@code target} (empty: the last stage), in
   * a fixed order; empty when there are none.
   */
  static List<String> used(String dockerfile, String target) {
    Set<String> out = new LinkedHashSet<>();
    for (String raw : dockerfile.split("\n")) {
      String line = raw.strip();
      String upper = line.toUpperCase(Locale.ROOT);
      if (upper.startsWith("RUN ") && upper.contains("--MOUNT=")) {
        out.add(upper.contains("TYPE=SECRET") ? "RUN --mount=type=secret (secret mount)"
            : upper.contains("TYPE=CACHE") ? "RUN --mount=type=cache (cache mount)" : "RUN --mount");
      }
      if ((upper.startsWith("RUN ") || upper.startsWith("COPY ")) && !execForm(line)
          && line.matches(".*<<-?[\"']?[A-Za-z_]\\w*[\"']?.*")) {
        out.add("heredoc (" + upper.split("\\s+")[0] + " <<EOF)");
      }
      if ((upper.startsWith("COPY ") || upper.startsWith("ADD ")) && upper.contains("--CHMOD=")) {
        out.add("COPY --chmod");
      }
      if ((upper.startsWith("COPY ") || upper.startsWith("ADD ")) && upper.matches(".*--LINK(=\\S+)?(\\s.*)?")) {
        out.add("COPY --link");
      }
    }
    String unused = unusedStage(dockerfile, target.toLowerCase(Locale.ROOT));
    if (unused != null) {
      out.add("stage '" + unused + "' that the final stage does not need (the classic builder builds every stage)");
    }
    return new ArrayList<>(out);
  }

  /** True for {@code RUN [...]} / {@code COPY [...]} (JSON form, after any flags): no heredoc there. */
  private static boolean execForm(String line) {
    String rest = line.substring(line.indexOf(' ') + 1).strip();
    while (rest.startsWith("--")) {
      int space = rest.indexOf(' ');
      rest = space < 0 ? "" : rest.substring(space + 1).strip();
    }
    return rest.startsWith("[");
  }

  /**
   * The first named stage before the built one ({@code target}, else the last) that neither it nor a stage it
   * needs refers to, or null. The classic builder builds every stage up to the built one.
   */
  private static String unusedStage(String dockerfile, String target) {
    List<String> names = new ArrayList<>();
    List<Set<String>> refs = new ArrayList<>();
    for (String raw : dockerfile.split("\n")) {
      Matcher from = FROM.matcher(raw);
      if (from.matches()) {
        names.add(from.group(2) == null ? "#" + names.size() : from.group(2).toLowerCase(Locale.ROOT));
        Set<String> r = new HashSet<>();
        r.add(from.group(1).toLowerCase(Locale.ROOT));
        refs.add(r);
      } else if (!refs.isEmpty()) {
        Matcher m = COPY_FROM.matcher(raw);
        while (m.find()) {
          refs.get(refs.size() - 1).add(m.group(1).toLowerCase(Locale.ROOT));
        }
      }
    }
    int built = target.isEmpty() ? names.size() - 1 : names.indexOf(target);
    if (built < 1) {
      return null;
    }
    Set<String> needed = new HashSet<>();
    List<Integer> todo = new ArrayList<>(List.of(built));
    while (!todo.isEmpty()) {
      int i = todo.remove(todo.size() - 1);
      if (needed.add(names.get(i))) {
        for (String ref : refs.get(i)) {
          int j = names.indexOf(ref);
          if (j < 0 && ref.matches("\\d+")) {
            j = Integer.parseInt(ref);
          }
          if (j >= 0 && j < names.size()) {
            todo.add(j);
          }
        }
      }
    }
    for (String name : names.subList(0, built)) {
      if (!needed.contains(name) && !name.startsWith("#")) {
        return name;
      }
    }
    return null;
  }
}
