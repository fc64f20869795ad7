package io.blacktree.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A build context's {@code .dockerignore}, read with the Docker CLI's rules: one pattern per line, blank
 * lines and {@code #} comments skipped, surrounding spaces trimmed; {@code !} makes an exception; each pattern
 * is cleaned like a path ({@code ./} and trailing {@code /} dropped, {@code ..} resolved) and a leading
 * {@code /} stripped. {@code *} matches within one path segment, {@code ?} one character of a segment,
 * {@code **} any number of segments (including none), {@code [...]} a character class, {@code \} escapes.
 * A pattern that matches a parent directory excludes everything below it; the last matching pattern decides.
 * The Dockerfile and {@code .dockerignore} are always sent (the CLI adds exceptions for them).
 */
final class DockerIgnore {
  private record Rule(String pattern, Pattern regex, boolean exception) {}

  private static final DockerIgnore NONE = new DockerIgnore(List.of());
  private final List<Rule> rules;

  private DockerIgnore(List<Rule> rules) {
    this.rules = rules;
  }

  /** The context's {@code .dockerignore}, or no patterns when there is none. */
  static DockerIgnore load(Path context, String dockerfileInContext) throws IOException {
    Path file = context.resolve(".dockerignore");
    if (!Files.isRegularFile(file)) {
      return NONE;
    }
    return parse(Files.readString(file, StandardCharsets.UTF_8), dockerfileInContext);
  }

  /** Parses {@code text}; {@code dockerfile} (context-relative, may be null) is always kept. */
  static DockerIgnore parse(String text, String dockerfile) {
    List<Rule> rules = new ArrayList<>();
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean exception = line.startsWith("!");
      if (exception) {
        line = line.substring(1).strip();
      }
      if (line.isEmpty()) {
        continue;
      }
      String cleaned = clean(line);
      if (cleaned.length() > 1 && cleaned.startsWith("/")) {
        cleaned = cleaned.substring(1);
      }
      rules.add(new Rule(cleaned, compile(cleaned), exception));
    }
    if (rules.isEmpty()) {
      return NONE;
    }
    rules.add(literal(".dockerignore"));
    if (dockerfile != null) {
      rules.add(literal(clean(dockerfile)));
    }
    return new DockerIgnore(List.copyOf(rules));
  }

  private static Rule literal(String path) {
    return new Rule(path.replaceAll("([*?\\[\\\\])", "\\\\$1"), Pattern.compile(Pattern.quote(path)), true);
  }

  /**
   * True when an exception pattern could match something below the excluded directory {@code dir}, so the
   * walk must go into it; false lets the walk skip the whole subtree (the common {@code node_modules} case).
   */
  boolean mayIncludeUnder(String dir) {
    String prefix = dir + "/";
    for (Rule r : rules) {
      if (r.exception()) {
        String literal = literalPrefix(r.pattern());
        if (literal.startsWith(prefix) || prefix.startsWith(literal)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String literalPrefix(String pattern) {
    for (int i = 0; i < pattern.length(); i++) {
      if ("*?[\\".indexOf(pattern.charAt(i)) >= 0) {
        return pattern.substring(0, i);
      }
    }
    return pattern;
  }

  /** True when {@code path} (context-relative, {@code /}-separated) is left out of the context. */
  boolean excludes(String path) {
    if (rules.isEmpty()) {
      return false;
    }
    String[] parts = path.split("/");
    boolean matched = false;
    for (Rule rule : rules) {
      if (rule.exception() != matched) {
        continue; // an exclusion only matters if not yet matched, an exception only if matched
      }
      boolean match = rule.regex().matcher(path).matches();
      StringBuilder parent = new StringBuilder();
      for (int i = 0; !match && i < parts.length - 1; i++) {
        if (i > 0) {
          parent.append('/');
        }
        parent.append(parts[i]);
        match = rule.regex().matcher(parent).matches();
      }
      if (match) {
        matched = !rule.exception();
      }
    }
    return matched;
  }

  /** Like Go's filepath.Clean for relative and absolute slash paths. */
  static String clean(String path) {
    boolean absolute = path.startsWith("/");
    Deque<String> out = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty() && !out.peekLast().equals("..")) {
          out.removeLast();
        } else if (!absolute) {
          out.addLast("..");
        }
        continue;
      }
      out.addLast(part);
    }
    String joined = String.join("/", out);
    if (absolute) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }

  /** The Docker pattern as an anchored regex. */
  static Pattern compile(String pattern) {
    StringBuilder re = new StringBuilder("^");
    int n = pattern.length();
    for (int i = 0; i < n; i++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        if (i + 1 < n && pattern.charAt(i + 1) == '*') {
          i++;
          if (i + 1 < n && pattern.charAt(i + 1) == '/') {
            i++;
          }
          re.append(i + 1 >= n ? ".*" : "(.*/)?");
        } else {
          re.append("[^/]*");
        }
      } else if (c == '?') {
        re.append("[^/]");
      } else if (c == '\\') {
        if (i + 1 < n) {
          i++;
          re.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
        } else {
          re.append("\\\\");
        }
      } else if (c == '[') {
        int end = pattern.indexOf(']', i + 2);
        if (end < 0) {
          re.append("\\[");
        } else {
          String body = pattern.substring(i + 1, end);
          if (body.startsWith("^") || body.startsWith("!")) {
            body = "^" + body.substring(1);
          }
          re.append('[').append(body.replace("\\", "\\\\").replace("[", "\\[")).append(']');
          i = end;
        }
      } else if (".+()|{}$^]".indexOf(c) >= 0) {
        re.append('\\').append(c);
      } else {
        re.append(c);
      }
    }
    return Pattern.compile(re.append('$').toString());
  }
}
