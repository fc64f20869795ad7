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
 * The base images a Dockerfile builds on: every {@code FROM} image that is not {@code scratch} and not an
 * earlier stage's name, with {@code ARG}s declared before the first {@code FROM} substituted (their defaults,
 * overridden by the request's build args of the same name). Duplicates are listed once, in order.
 */
final class BaseImages {
  /** An image reference split into repository ({@code host/path} or {@code path}), tag and digest. */
  record ImageRef(String reference, String registry, String repository, String tag, String digest) {
    /** The repository with its registry host, as image names and RepoDigests write it. */
    String name() {
      return registry == null ? repository : registry + "/" + repository;
    }
  }

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");

  private BaseImages() {}

  /** The base image references of {@code dockerfile}, in order of first use. */
  static List<String> of(String dockerfile, Map<String, String> buildArgs) {
    Map<String, String> globalArgs = new HashMap<>();
    Set<String> stages = new HashSet<>();
    List<String> out = new ArrayList<>();
    boolean seenFrom = false;
    for (String line : instructions(dockerfile)) {
      String[] words = line.trim().split("\\s+");
      String keyword = words[0].toUpperCase(Locale.ROOT);
      if (keyword.equals("ARG") && !seenFrom) {
        for (int i = 1; i < words.length; i++) {
          String[] kv = words[i].split("=", 2);
          globalArgs.put(kv[0], buildArgs.getOrDefault(kv[0], kv.length > 1 ? unquote(kv[1]) : ""));
        }
      } else if (keyword.equals("FROM")) {
        seenFrom = true;
        int i = 1;
        while (i < words.length && words[i].startsWith("--")) {
          i++;
        }
        if (i >= words.length) {
          continue;
        }
        String image = substitute(words[i], globalArgs);
        boolean earlierStage = stages.contains(image.toLowerCase(Locale.ROOT));
        if (i + 2 < words.length && words[i + 1].equalsIgnoreCase("AS")) {
          stages.add(words[i + 2].toLowerCase(Locale.ROOT));
        }
        if (!image.equalsIgnoreCase("scratch") && !earlierStage && !out.contains(image)) {
          out.add(image);
        }
      }
    }
    return out;
  }

  /** Splits {@code reference} ({@code [host[:port]/]path[:tag][@sha256:hex]}). */
  static ImageRef parse(String reference) {
    String rest = reference;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    String registry = null;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        rest = rest.substring(slash + 1);
      }
    }
    return new ImageRef(reference, registry, rest, tag == null && digest == null ? "latest" : tag, digest);
  }

  /** The Dockerfile's instructions: continuation lines joined, comments and blank lines dropped. */
  private static List<String> instructions(String dockerfile) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : dockerfile.split("\r?\n")) {
      String line = raw.strip();
      if (current.length() == 0 && (line.isEmpty() || line.startsWith("#"))) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      out.add(current.toString());
      current.setLength(0);
    }
    if (current.length() > 0) {
      out.add(current.toString());
    }
    return out;
  }

  private static String substitute(String word, Map<String, String> args) {
    Matcher m = VARIABLE.matcher(word);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(3);
      String value = args.get(name);
      if ((value == null || value.isEmpty()) && m.group(2) != null) {
        value = m.group(2);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String unquote(String s) {
    return s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))
        ? s.substring(1, s.length() - 1) : s;
  }

  /** The digest in the first of {@code repoDigests} (an engine's image inspect) that names {@code ref}'s repository with a digest. */
  static Optional<String> digestFromRepoDigests(ImageRef ref, List<String> repoDigests) {
    for (String rd : repoDigests) {
      int at = rd.indexOf('@');
      if (at > 0 && (rd.substring(0, at).equals(ref.name())
          || rd.substring(0, at).equals("docker.io/library/" + ref.name())
          || rd.substring(0, at).equals("docker.io/" + ref.name()))) {
        return Optional.of(rd.substring(at + 1));
      }
    }
    return Optional.empty();
  }
}
