package io.blacktree.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options a job's BuildKit solve gives the Dockerfile frontend ({@code buildctl --opt}), so that BuildKit
 * keeps the worker's controls:
 * <ul>
 *   <li>always BuildKit's built-in Dockerfile frontend (the one of the pinned buildkitd): a {@code # syntax=}
 *       line or a {@code BUILDKIT_SYNTAX} build arg would make buildkitd pull that image and run it as the
 *       frontend; the worker sets {@code cmdline}, which the built-in frontend takes to mean it is the chosen one,
 *       so the same Dockerfile builds the same way offline and in production and no repository picks the code
 *       that turns its Dockerfile into build steps;</li>
 *   <li>RUN steps without network ({@code force-network-mode=none}) unless {@code --build-network} says
 *       otherwise;</li>
 *   <li>each RUN step's memory (no extra swap), CPU shares and CPU set from {@link BuildLimits}, as the engine
 *       builder applies them (they are part of BuildKit's cache key: hosts sharing a registry cache need the
 *       same limits to share RUN steps);</li>
 *   <li>the request's target stage, build args, and the image labels.</li>
 * </ul>
 */
final class FrontendOptions {
  /** Any value: the built-in frontend only checks that {@code cmdline} is set. */
  private static final String BUILTIN_FRONTEND = "cmdline=blacktree-builtin-dockerfile-frontend";
  private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9_-]*)\\s*=\\s*(.*?)\\s*$");
  private final BuildLimits limits;

  FrontendOptions(BuildLimits limits) {
    this.limits = limits;
  }

  /**
   * buildctl's {@code --opt} arguments for the build of {@code in} up to stage {@code targetOrEmpty} (empty: the
   * last stage) with {@code buildArgs}.
   */
  List<String> args(String targetOrEmpty, Map<String, String> buildArgs, BuildInputs in) {
    List<String> opts = new ArrayList<>();
    opts.add("filename=" + in.dockerfile().getFileName());
    opts.add(BUILTIN_FRONTEND);
    if (!targetOrEmpty.isEmpty()) {
      opts.add("target=" + targetOrEmpty);
    }
    if ("none".equals(limits.networkMode())) {
      opts.add("force-network-mode=none");
    }
    if (limits.memoryBytes() > 0) {
      opts.add("memory=" + limits.memoryBytes());
      opts.add("memswap=" + limits.memoryBytes());
    }
    if (limits.cpuShares() > 0) {
      opts.add("cpushares=" + limits.cpuShares());
    }
    if (limits.cpusetCpus() != null) {
      opts.add("cpusetcpus=" + limits.cpusetCpus());
    }
    new TreeMap<>(buildArgs).forEach((k, v) -> opts.add("build-arg:" + k + "=" + v));
    new TreeMap<>(in.labels()).forEach((k, v) -> opts.add("label:" + k + "=" + v));
    List<String> args = new ArrayList<>();
    opts.forEach(o -> args.addAll(List.of("--opt", o)));
    return args;
  }

  /**
   * The external frontend {@code dockerfile} or the build args ask for ({@code # syntax=} among the parser
   * directives at its top, or the {@code BUILDKIT_SYNTAX} build arg), which the worker does not use; empty when
   * there is none.
   */
  static Optional<String> ignoredFrontend(String dockerfile, Map<String, String> buildArgs) {
    if (buildArgs.containsKey("BUILDKIT_SYNTAX")) {
      return Optional.of(buildArgs.get("BUILDKIT_SYNTAX") + " (build arg BUILDKIT_SYNTAX)");
    }
    for (String line : dockerfile.split("\r?\n", -1)) {
      Matcher d = DIRECTIVE.matcher(line.strip());
      if (!d.matches()) {
        return Optional.empty();
      }
      if (d.group(1).toLowerCase(Locale.ROOT).equals("syntax")) {
        return Optional.of(d.group(2) + " (# syntax= line)");
      }
    }
    return Optional.empty();
  }
}
