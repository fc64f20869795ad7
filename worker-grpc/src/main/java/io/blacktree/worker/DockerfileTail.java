package io.blacktree.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a Dockerfile into what the engine must build and the trailing metadata instructions of its last stage
 * ({@code CMD}, {@code ENTRYPOINT}, {@code ENV}, {@code EXPOSE}, {@code LABEL}, {@code USER}), which become
 * {@link ConfigEdits} applied to the built image's config by {@link ImageLabels}. The classic builder runs each
 * of those as a container created from the image and committed; on a copying storage driver ({@code vfs}) that
 * copies the whole root filesystem, about a second per instruction on a 1,000-file image, and in a warm build
 * (only the sources changed) it is never cached because it follows the changed {@code COPY}. The image that
 * results is the same: same layers, same config fields.
 *
 * <p>Conservative by design: anything it cannot read exactly as the builder does ends the tail (the instruction
 * and everything before it are built as written). Not peeled: multi-line instructions, values with {@code $}
 * (variables), quotes other than plain double quotes, backslashes, legacy {@code ENV k v} / {@code LABEL k v}
 * forms, {@code EXPOSE} ranges; a Dockerfile with an {@code escape} directive or a {@code SHELL} instruction; and
 * a last stage with nothing but {@code FROM} left. The shortened Dockerfile goes into the context under
 * {@link ContextTar#OUTSIDE_DOCKERFILE}; unless the engine drops that file from the context (a context without a
 * {@code .dockerignore} of its own), every {@code COPY}/{@code ADD} source must be a literal path that cannot
 * cover it (no {@code .}, no wildcards), else nothing is peeled; a {@code COPY --from} is not from the context.
 */
final class DockerfileTail {
  /** What the engine builds, the instructions taken out (for the job log) and their config edits. */
  record Split(String buildable, List<String> peeled, ConfigEdits edits) {
    boolean peeledAny() {
      return !peeled.isEmpty();
    }
  }

  private record Instruction(String keyword, String args, int firstLine, int lastLine) {
    boolean multiLine() {
      return firstLine != lastLine;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DIRECTIVE = Pattern.compile("^\\s*#\\s*([a-zA-Z]+)\\s*=\\s*(.*?)\\s*$");
  private static final Pattern KEYWORD = Pattern.compile("^\\s*([A-Za-z]+)(?:\\s+(.*))?$");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");
  private static final Pattern PORT = Pattern.compile("(\\d{1,5})(?:/(tcp|udp|sctp))?", Pattern.CASE_INSENSITIVE);
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?");
  private static final Pattern URL = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
  private static final Set<String> PEELABLE = Set.of("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "USER");
  private static final List<String> SHELL = List.of("/bin/sh", "-c");

  private DockerfileTail() {}

  /**
   * The split of {@code dockerfile}; with nothing peeled, {@code buildable} is the text unchanged.
   * {@code sideFileHidden}: the engine drops the side Dockerfile from the context once read (the context has no
   * {@code .dockerignore} of its own, so {@link ContextTar} adds one naming it), so {@code COPY}/{@code ADD}
   * sources need no check.
   */
  static Split split(String dockerfile, boolean sideFileHidden) {
    Split none = new Split(dockerfile, List.of(), ConfigEdits.NONE);
    List<String> lines = dockerfile.lines().toList();
    List<Instruction> all = instructions(lines);
    if (all == null || all.stream().anyMatch(i -> i.keyword().equals("SHELL") || i.args().contains("<<"))) {
      return none;
    }
    int lastFrom = -1;
    for (int i = 0; i < all.size(); i++) {
      Instruction in = all.get(i);
      if (in.keyword().equals("FROM")) {
        lastFrom = i;
      }
      if (!sideFileHidden && (in.keyword().equals("COPY") || in.keyword().equals("ADD")) && !sourcesMissSideFile(in)) {
        return none;
      }
    }
    if (lastFrom < 0) {
      return none;
    }
    int start = all.size();
    while (start - 1 >= lastFrom + 2 && edits(all.get(start - 1), false) != null) {
      start--;
    }
    if (start == all.size()) {
      return none;
    }
    boolean cmdSet = all.subList(lastFrom + 1, start).stream().anyMatch(i -> i.keyword().equals("CMD"));
    List<ConfigEdits.Edit> edits = new ArrayList<>();
    List<String> peeled = new ArrayList<>();
    for (Instruction in : all.subList(start, all.size())) {
      edits.addAll(edits(in, !cmdSet));
      cmdSet |= in.keyword().equals("CMD");
      peeled.add(lines.get(in.firstLine()).strip());
    }
    String buildable = String.join("\n", lines.subList(0, all.get(start).firstLine())) + "\n";
    return new Split(buildable, peeled, new ConfigEdits(edits));
  }

  /** The logical instructions with their line ranges; null when the file uses an escape directive. */
  private static List<Instruction> instructions(List<String> lines) {
    List<Instruction> out = new ArrayList<>();
    boolean directives = true;
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i);
      Matcher d = DIRECTIVE.matcher(line);
      if (directives && d.matches()) {
        if (d.group(1).equalsIgnoreCase("escape")) {
          return null;
        }
        i++;
        continue;
      }
      directives = false;
      if (isBlankOrComment(line)) {
        i++;
        continue;
      }
      int first = i;
      StringBuilder text = new StringBuilder();
      String current = line;
      while (true) {
        String trimmed = current.stripTrailing();
        boolean continues = trimmed.endsWith("\\");
        text.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
        if (!continues) {
          break;
        }
        i++;
        while (i < lines.size() && isBlankOrComment(lines.get(i))) {
          i++;
        }
        if (i >= lines.size()) {
          break;
        }
        current = lines.get(i);
      }
      Matcher k = KEYWORD.matcher(text);
      if (!k.matches()) {
        return null;
      }
      String args = k.group(2) == null ? "" : k.group(2).strip();
      out.add(new Instruction(k.group(1).toUpperCase(Locale.ROOT), args, first, Math.min(i, lines.size() - 1)));
      i++;
    }
    return out;
  }

  private static boolean isBlankOrComment(String line) {
    String s = line.strip();
    return s.isEmpty() || s.startsWith("#");
  }

  /**
   * The edits of one peelable instruction, or null when it is not one or cannot be read exactly.
   * {@code entrypointClearsCmd}: no {@code CMD} came before it in the stage.
   */
  private static List<ConfigEdits.Edit> edits(Instruction in, boolean entrypointClearsCmd) {
    if (!PEELABLE.contains(in.keyword()) || in.multiLine() || in.args().isEmpty() || in.args().startsWith("--")) {
      return null;
    }
    String args = in.args();
    switch (in.keyword()) {
      case "CMD": {
        List<String> cmd = command(args);
        return cmd == null ? null : List.of(new ConfigEdits.SetCmd(cmd));
      }
      case "ENTRYPOINT": {
        List<String> entrypoint = command(args);
        return entrypoint == null ? null : List.of(new ConfigEdits.SetEntrypoint(entrypoint, entrypointClearsCmd));
      }
      case "USER":
        return USER.matcher(args).matches() ? List.of(new ConfigEdits.SetUser(args)) : null;
      case "EXPOSE": {
        List<ConfigEdits.Edit> out = new ArrayList<>();
        for (String token : args.split("\\s+")) {
          Matcher m = PORT.matcher(token);
          if (!m.matches() || Integer.parseInt(m.group(1)) > 65535) {
            return null;
          }
          String protocol = m.group(2) == null ? "tcp" : m.group(2).toLowerCase(Locale.ROOT);
          out.add(new ConfigEdits.Expose(Integer.parseInt(m.group(1)) + "/" + protocol));
        }
        return out;
      }
      default: {
        boolean env = in.keyword().equals("ENV");
        List<String[]> pairs = pairs(args, env ? ENV_NAME : LABEL_KEY);
        if (pairs == null) {
          return null;
        }
        List<ConfigEdits.Edit> out = new ArrayList<>();
        for (String[] p : pairs) {
          out.add(env ? new ConfigEdits.SetEnv(p[0], p[1]) : new ConfigEdits.SetLabel(p[0], p[1]));
        }
        return out;
      }
    }
  }

  /** Exec form (a JSON array of strings) or shell form (wrapped in {@code /bin/sh -c}). */
  private static List<String> command(String args) {
    if (!args.startsWith("[")) {
      List<String> shell = new ArrayList<>(SHELL);
      shell.add(args);
      return shell;
    }
    try {
      JsonNode node = JSON.readTree(args);
      if (!node.isArray()) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (JsonNode item : node) {
        if (!item.isTextual()) {
          return null;
        }
        out.add(item.asText());
      }
      return out;
    } catch (IOException e) {
      return null; // the builder would take it as shell form; not peeled
    }
  }

  /** {@code k=v k="v w" ...} with plain values only; null for anything else. */
  private static List<String[]> pairs(String args, Pattern key) {
    List<String> tokens = words(args);
    if (tokens == null || tokens.isEmpty()) {
      return null;
    }
    List<String[]> out = new ArrayList<>();
    for (String token : tokens) {
      int eq = token.indexOf('=');
      if (eq <= 0 || !key.matcher(token.substring(0, eq)).matches()) {
        return null;
      }
      String value = token.substring(eq + 1);
      if (value.startsWith("\"")) {
        if (value.length() < 2 || !value.endsWith("\"") || value.substring(1, value.length() - 1).contains("\"")) {
          return null;
        }
        value = value.substring(1, value.length() - 1);
      } else if (value.contains("\"")) {
        return null;
      }
      out.add(new String[] {token.substring(0, eq), value});
    }
    return out;
  }

  /** Splits on blanks outside double quotes; null on a character the builder would interpret. */
  private static List<String> words(String args) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    for (char c : args.toCharArray()) {
      if (c == '$' || c == '\\' || c == '\'') {
        return null;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (!quoted && Character.isWhitespace(c)) {
        if (word.length() > 0) {
          out.add(word.toString());
          word.setLength(0);
        }
        continue;
      }
      word.append(c);
    }
    if (quoted) {
      return null;
    }
    if (word.length() > 0) {
      out.add(word.toString());
    }
    return out;
  }

  /** True when no source of this COPY/ADD can cover {@link ContextTar#OUTSIDE_DOCKERFILE}. */
  private static boolean sourcesMissSideFile(Instruction in) {
    if (in.multiLine()) {
      return false;
    }
    List<String> tokens = new ArrayList<>();
    String args = in.args();
    if (args.startsWith("[")) {
      List<String> json = command(args);
      if (json == null) {
        return false;
      }
      tokens.addAll(json);
    } else {
      for (String t : args.split("\\s+")) {
        if (!t.isEmpty()) {
          tokens.add(t);
        }
      }
    }
    while (!tokens.isEmpty() && tokens.get(0).startsWith("--")) {
      if (tokens.get(0).startsWith("--from")) {
        return true;
      }
      tokens.remove(0);
    }
    if (tokens.size() < 2) {
      return false;
    }
    for (String source : tokens.subList(0, tokens.size() - 1)) {
      if (in.keyword().equals("ADD") && URL.matcher(source).matches()) {
        continue;
      }
      if (source.chars().anyMatch(c -> "$*?[\\".indexOf(c) >= 0)) {
        return false;
      }
      String s = source;
      while (s.startsWith("./") || s.startsWith("/")) {
        s = s.substring(s.startsWith("./") ? 2 : 1);
      }
      while (s.endsWith("/")) {
        s = s.substring(0, s.length() - 1);
      }
      if (s.isEmpty() || s.equals(".") || s.startsWith("..") || s.equals(ContextTar.OUTSIDE_DOCKERFILE)) {
        return false;
      }
    }
    return true;
  }
}
