package io.blacktree.bench;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The build sections' options, read from the same {@code --name=value} arguments as {@link BenchConfig}:
 * {@code --builder=buildkit} (the worker's {@code --builder}: buildkit | engine | auto) {@code --buildkit-addr}
 * (default {@code unix://$BLACKTREE_HOME/run/buildkitd.sock}, the buildkitd {@code scripts/services} starts)
 * {@code --buildctl} (default {@code $BLACKTREE_HOME/bin/buildctl}) {@code --buildkitd} (default
 * {@code $BLACKTREE_HOME/bin/buildkitd}) {@code --tools=script,buildctl} (the hand-written scripts the worker is
 * measured against in section 1) {@code --floor=true} (the physical floor of the warm many-files case)
 * {@code --registry-cache=on} (the worker's {@code --registry-cache}; the buildctl script gets the same cache
 * flags) {@code --cases=tiny,files,mb,install} (which repositories: a few files, {@code --files} small files,
 * {@code --big-mb} MB; {@code install}, the fleet section only: the tiny repository with a dependency step of
 * seconds of CPU).
 */
record BuildOptions(String builder, String buildkitAddr, Path buildctl, Path buildkitd, boolean script,
    boolean buildctlScript, boolean floor, boolean registryCache, Set<String> cases) {

  static BuildOptions parse(String[] args) {
    Map<String, String> m = BenchConfig.options(args);
    Path home = Path.of(System.getenv().getOrDefault("BLACKTREE_HOME", System.getProperty("user.home") + "/.blacktree"));
    Set<String> tools = Set.of(m.getOrDefault("tools", "script,buildctl").split(","));
    return new BuildOptions(
        m.getOrDefault("builder", "buildkit").toLowerCase(Locale.ROOT),
        m.getOrDefault("buildkit-addr", "unix://" + home.resolve("run/buildkitd.sock")),
        Path.of(m.getOrDefault("buildctl", home.resolve("bin/buildctl").toString())),
        Path.of(m.getOrDefault("buildkitd", home.resolve("bin/buildkitd").toString())),
        tools.contains("script"),
        tools.contains("buildctl"),
        Boolean.parseBoolean(m.getOrDefault("floor", "true")),
        "on".equalsIgnoreCase(m.getOrDefault("registry-cache", "on")),
        Set.of(m.getOrDefault("cases", "tiny,files,mb," + BenchRepos.INSTALL).split(",")));
  }
}
