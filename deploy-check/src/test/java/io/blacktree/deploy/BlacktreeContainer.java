package io.blacktree.deploy;

import io.fabric8.kubernetes.api.model.Container;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One container that runs the blacktree image, read as the command line it runs: the command ({@code args[0]}),
 * its {@code --name=value} flags and its environment (ConfigMaps of {@code envFrom} already resolved by the
 * caller). A setting is the flag if given, else its {@code BLACKTREE_*} variable, as the CLI itself resolves it.
 */
record BlacktreeContainer(String where, Container container, String command, Map<String, String> flags,
    List<String> malformedArgs, Map<String, String> env) {

  /** Reads {@code container}; {@code env} is its environment with envFrom resolved. */
  static BlacktreeContainer read(String where, Container container, Map<String, String> env) {
    List<String> args = container.getArgs() == null ? List.of() : container.getArgs();
    String command = args.isEmpty() ? "" : args.get(0);
    Map<String, String> flags = new LinkedHashMap<>();
    List<String> malformed = new java.util.ArrayList<>();
    for (String arg : args.subList(Math.min(1, args.size()), args.size())) {
      if (!arg.startsWith("--")) {
        malformed.add(arg);
        continue;
      }
      int eq = arg.indexOf('=');
      flags.put(eq < 0 ? arg : arg.substring(0, eq), eq < 0 ? "" : arg.substring(eq + 1));
    }
    return new BlacktreeContainer(where, container, command, Map.copyOf(flags), List.copyOf(malformed), Map.copyOf(env));
  }

  /** Whether {@code image} is the blacktree distribution ({@code blacktree}, {@code .../blacktree[:tag]}, {@code .../blacktree/cli}). */
  static boolean isBlacktreeImage(String image) {
    if (image == null) {
      return false;
    }
    String repository = image.replaceFirst("@.*$", "");
    int slash = repository.lastIndexOf('/');
    int colon = repository.lastIndexOf(':');
    if (colon > slash) {
      repository = repository.substring(0, colon);
    }
    return repository.equals("blacktree") || repository.endsWith("/blacktree") || repository.endsWith("blacktree/cli");
  }

  /** The flag's value, else its variable's, else null: {@code --metrics-port} or {@code BLACKTREE_METRICS_PORT}. */
  String setting(String flag) {
    String value = flags.get(flag);
    return value != null ? value : env.get(variableOf(flag));
  }

  static String variableOf(String flag) {
    return "BLACKTREE_" + flag.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  String name() {
    return container.getName();
  }
}
