package io.blacktree.worker;

import java.util.Map;
import java.util.Optional;

/**
 * Dockerfile variable substitution, only as far as it can be done exactly: {@code $NAME}, {@code ${NAME}},
 * {@code ${NAME:-word}} and {@code ${NAME:+word}}, and {@code \$} for a literal dollar. A variable missing from
 * {@code vars} or mapped to null (declared, value unknown), or any other form ({@code ${NAME#...}},
 * {@code ${NAME/...}}, an unclosed brace), makes the result empty: the builder could produce something else.
 */
final class Substitution {
  private Substitution() {}

  /** {@code word} with its variables replaced, or empty when that cannot be done exactly. */
  static Optional<String> apply(String word, Map<String, String> vars) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < word.length()) {
      char c = word.charAt(i);
      if (c == '\\' && i + 1 < word.length() && word.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (c != '$') {
        out.append(c);
        i++;
      } else if (i + 1 < word.length() && word.charAt(i + 1) == '{') {
        int close = word.indexOf('}', i + 2);
        if (close < 0) {
          return Optional.empty();
        }
        Optional<String> value = braced(word.substring(i + 2, close), vars);
        if (value.isEmpty()) {
          return Optional.empty();
        }
        out.append(value.get());
        i = close + 1;
      } else {
        int end = i + 1;
        while (end < word.length() && (Character.isLetterOrDigit(word.charAt(end)) || word.charAt(end) == '_')) {
          end++;
        }
        if (end == i + 1) {
          out.append('$');
          i++;
          continue;
        }
        String value = vars.get(word.substring(i + 1, end));
        if (value == null) {
          return Optional.empty();
        }
        out.append(value);
        i = end;
      }
    }
    return Optional.of(out.toString());
  }

  private static Optional<String> braced(String inner, Map<String, String> vars) {
    if (inner.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      return Optional.ofNullable(vars.get(inner));
    }
    int op = inner.indexOf(':');
    if (op <= 0 || op + 1 >= inner.length() || !inner.substring(0, op).matches("[A-Za-z_][A-Za-z0-9_]*")) {
      return Optional.empty();
    }
    String name = inner.substring(0, op);
    char kind = inner.charAt(op + 1);
    String word = inner.substring(op + 2);
    if ((kind != '-' && kind != '+') || word.contains("$")) {
      return Optional.empty();
    }
    if (!vars.containsKey(name) || vars.get(name) == null) {
      return Optional.empty();
    }
    String value = vars.get(name);
    return Optional.of(kind == '-' ? (value.isEmpty() ? word : value) : (value.isEmpty() ? "" : word));
  }
}
