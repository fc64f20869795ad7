package io.blacktree.worker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Dockerfile the way a builder would and lists every place the build makes the engine fetch something
 * from outside the context: {@code ADD} sources that are URLs, and the image references of {@code FROM},
 * {@code COPY --from}, {@code RUN --mount=...,from=...} and the {@code # syntax=} directive (a BuildKit frontend
 * image). {@code ONBUILD} instructions are read like the ones they wrap.
 *
 * <p>Variables are substituted from what the Dockerfile itself defines ({@code ARG} defaults, {@code ENV}) and the
 * request's build args, the way the builder scopes them (global {@code ARG}s before the first {@code FROM}, a
 * stage's own {@code ARG}/{@code ENV}). A source that uses anything else (a variable the Dockerfile does not
 * define, which a base image's {@code ENV} could set, or a substitution form other than {@code $V}, {@code ${V}},
 * {@code ${V:-w}}, {@code ${V:+w}}) is returned as {@link Source#exact() inexact}: the caller cannot know what the
 * builder will fetch. Stage names ({@code FROM x AS build}) and stage indexes are not images.
 */
final class DockerfileSources {
  /** What kind of fetch a source makes. */
  enum Kind { ADD_URL, IMAGE }

  /**
   * One fetch the build would make.
   *
   * @param line        1-based line of the instruction's first physical line
   * @param instruction the instruction as written (continuations joined), for messages
   * @param kind        a URL that {@code ADD} downloads, or an image the builder pulls
   * @param value       the source after substitution (as far as it went when not exact)
   * @param exact       false when a variable could not be resolved from the Dockerfile and the build args
   */
  record Source(int line, String instruction, Kind kind, String value, boolean exact) {}

  private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9_-]*)\\s*=\\s*(.*?)\\s*$");
  private static final Pattern URL_LIKE = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*|^git@.*|^github\\.com/.*");
  private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Set<String> ADD_FLAGS_WITH_VALUE = Set.of("--chown", "--chmod", "--checksum", "--exclude",
      "--platform");

  private final Map<String, String> buildArgs;
  private final List<Source> out = new ArrayList<>();
  private final Map<String, String> globalArgs = new HashMap<>();
  private final Set<String> stageNames = new HashSet<>();
  private Map<String, String> stageVars;
  private int stages;

  private DockerfileSources(Map<String, String> buildArgs) {
    this.buildArgs = Map.copyOf(buildArgs);
  }

  /** Every remote source of {@code dockerfile}, in order; {@code buildArgs} are the request's. */
  static List<Source> of(String dockerfile, Map<String, String> buildArgs) {
    DockerfileSources reader = new DockerfileSources(buildArgs);
    reader.read(dockerfile);
    return List.copyOf(reader.out);
  }

  /** One instruction: its first line and its words as written, continuations joined. */
  private record Instruction(int line, String text) {}

  private void read(String dockerfile) {
    String[] lines = dockerfile.split("\r?\n", -1);
    char escape = '\\';
    int i = 0;
    for (; i < lines.length; i++) {
      Matcher d = DIRECTIVE.matcher(lines[i].trim());
      if (!d.matches()) {
        break;
      }
      String key = d.group(1).toLowerCase(Locale.ROOT);
      if (key.equals("escape") && d.group(2).length() == 1) {
        escape = d.group(2).charAt(0);
      } else if (key.equals("syntax")) {
        image(new Instruction(i + 1, lines[i].trim()), d.group(2), Map.of());
      }
    }
    for (Instruction ins : instructions(lines, i, escape)) {
      instruction(ins, ins.text());
    }
  }

  private static List<Instruction> instructions(String[] lines, int from, char escape) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = null;
    int start = 0;
    for (int i = from; i < lines.length; i++) {
      String trimmed = lines[i].trim();
      if (current == null && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        continue;
      }
      if (current != null && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        continue; // comments and empty lines inside a continuation are dropped, as the builder does
      }
      String body = stripTrailing(lines[i]);
      boolean continues = !body.isEmpty() && body.charAt(body.length() - 1) == escape;
      if (continues) {
        body = body.substring(0, body.length() - 1);
      }
      if (current == null) {
        current = new StringBuilder();
        start = i + 1;
      }
      current.append(body);
      if (!continues) {
        out.add(new Instruction(start, current.toString().trim()));
        current = null;
      }
    }
    if (current != null) {
      out.add(new Instruction(start, current.toString().trim()));
    }
    return out;
  }

  private void instruction(Instruction ins, String text) {
    String[] kw = text.split("\\s+", 2);
    String keyword = kw[0].toUpperCase(Locale.ROOT);
    String rest = kw.length > 1 ? kw[1].trim() : "";
    switch (keyword) {
      case "ONBUILD" -> instruction(ins, rest);
      case "ARG" -> arg(rest);
      case "ENV" -> env(rest);
      case "FROM" -> from(ins, rest);
      case "ADD" -> add(ins, rest);
      case "COPY" -> copy(ins, rest);
      case "RUN" -> run(ins, rest);
      default -> { }
    }
  }

  private Map<String, String> vars() {
    return stageVars == null ? globalArgs : stageVars;
  }

  private void arg(String rest) {
    for (String decl : words(rest)) {
      int eq = decl.indexOf('=');
      String name = eq < 0 ? decl : decl.substring(0, eq);
      String value;
      if (buildArgs.containsKey(name)) {
        value = buildArgs.get(name);
      } else if (eq >= 0) {
        value = declared(decl.substring(eq + 1), vars());
      } else {
        value = stageVars != null ? globalArgs.get(name) : null;
      }
      vars().put(name, value); // null: declared without a value the worker knows
    }
  }

  private void env(String rest) {
    List<String> words = words(rest);
    if (words.size() >= 2 && !words.get(0).contains("=")) {
      vars().put(words.get(0), declared(rest.substring(words.get(0).length()).trim(), vars()));
      return;
    }
    for (String w : words) {
      int eq = w.indexOf('=');
      if (eq > 0) {
        vars().put(w.substring(0, eq), declared(w.substring(eq + 1), vars()));
      }
    }
  }

  private void from(Instruction ins, String rest) {
    List<String> words = withoutFlags(words(rest), Set.of("--platform"));
    stageVars = new HashMap<>();
    stages++;
    if (words.isEmpty()) {
      return;
    }
    String ref = words.get(0);
    if (words.size() >= 3 && words.get(1).equalsIgnoreCase("AS")) {
      stageNames.add(words.get(2).toLowerCase(Locale.ROOT));
    }
    image(ins, ref, globalArgs);
  }

  private void add(Instruction ins, String rest) {
    List<String> paths = paths(rest, ADD_FLAGS_WITH_VALUE);
    for (int i = 0; i < paths.size() - 1; i++) {
      Optional<String> value = exact(Substitution.apply(unquote(paths.get(i)), vars()));
      String shown = value.orElse(paths.get(i));
      if (value.isEmpty() || shown.contains("://") || URL_LIKE.matcher(shown).matches()) {
        out.add(new Source(ins.line(), ins.text(), Kind.ADD_URL, shown, value.isPresent()));
      }
    }
  }

  private void copy(Instruction ins, String rest) {
    for (String w : words(rest)) {
      if (!w.startsWith("--")) {
        break;
      }
      if (w.startsWith("--from=")) {
        stageOrImage(ins, w.substring("--from=".length()));
      }
    }
  }

  private void run(Instruction ins, String rest) {
    for (String w : words(rest)) {
      if (!w.startsWith("--")) {
        break;
      }
      if (w.startsWith("--mount=")) {
        for (String option : w.substring("--mount=".length()).split(",")) {
          if (option.startsWith("from=")) {
            stageOrImage(ins, option.substring("from=".length()));
          }
        }
      }
    }
  }

  private void stageOrImage(Instruction ins, String written) {
    Optional<String> value = Substitution.apply(unquote(written), vars());
    if (value.isPresent() && (stageNames.contains(value.get().toLowerCase(Locale.ROOT))
        || value.get().matches("[0-9]+") && Integer.parseInt(value.get()) < stages)) {
      return;
    }
    image(ins, written, vars());
  }

  private void image(Instruction ins, String written, Map<String, String> scope) {
    Optional<String> value = exact(Substitution.apply(unquote(written), scope));
    if (value.isPresent() && (value.get().equalsIgnoreCase("scratch")
        || stageNames.contains(value.get().toLowerCase(Locale.ROOT)))) {
      return;
    }
    out.add(new Source(ins.line(), ins.text(), Kind.IMAGE, value.orElse(written), value.isPresent()));
  }

  /** The source and destination paths of ADD/COPY: the JSON array form or the words after the flags. */
  private static List<String> paths(String rest, Set<String> flagsWithValue) {
    String trimmed = rest.trim();
    List<String> words = words(trimmed);
    List<String> afterFlags = new ArrayList<>();
    boolean flags = true;
    for (String w : words) {
      if (flags && w.startsWith("--")) {
        continue;
      }
      flags = false;
      afterFlags.add(w);
    }
    String joined = String.join(" ", afterFlags).trim();
    if (joined.startsWith("[") && joined.endsWith("]")) {
      List<String> json = new ArrayList<>();
      Matcher m = JSON_STRING.matcher(joined);
      while (m.find()) {
        json.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
      if (!json.isEmpty()) {
        return json;
      }
    }
    return afterFlags;
  }

  private static List<String> withoutFlags(List<String> words, Set<String> flags) {
    List<String> out = new ArrayList<>();
    for (String w : words) {
      if (w.startsWith("--") && flags.stream().anyMatch(f -> w.startsWith(f + "="))) {
        continue;
      }
      out.add(w);
    }
    return out;
  }

  private static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    for (String w : s.trim().split("\\s+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  /** A substituted source is exact only when it is one word without quotes, as the builder would see it. */
  private static Optional<String> exact(Optional<String> value) {
    return value.filter(v -> !v.isEmpty() && v.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"'
        || c == '\''));
  }

  /** A variable's value as declared; null (unknown) when quoting makes it more than one plain word. */
  private static String declared(String raw, Map<String, String> vars) {
    String value = unquote(raw);
    if (value.indexOf('"') >= 0 || value.indexOf('\'') >= 0) {
      return null;
    }
    return Substitution.apply(value, vars).orElse(null);
  }

  private static String unquote(String s) {
    if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }
}
