package io.blacktree.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which builder the worker uses and how it reaches BuildKit. Flag names in brackets.
 *
 * @param mode         [--builder] {@code auto} (default: BuildKit when buildkitd answers at {@code buildkitAddr}
 *                     at a job's start, else the engine's classic builder, with a log line saying why),
 *                     {@code buildkit} or {@code engine}
 * @param buildkitAddr [--buildkit-addr] buildkitd's address, {@code unix:///path} or {@code tcp://host:port};
 *                     default {@code unix://$BLACKTREE_HOME/run/buildkitd.sock} (where {@code scripts/services}
 *                     starts it)
 * @param buildctl     [--buildctl] the buildctl client the worker runs; default {@code $BLACKTREE_HOME/bin/buildctl}
 *                     (the pinned build {@code scripts/services} links there)
 * @param registryCache [--registry-cache] {@code true} (default, flag value {@code on}): BuildKit builds export
 *                     their cache to the image's repository and import it, so every build host shares it
 *                     ({@link RegistryCache}); the engine builder has none
 * @param registryCacheFallback [--registry-cache-fallback] the branch whose cache a build of any other branch
 *                     also imports; default {@code main}; empty for none
 * @param secrets      [--build-secret id=file] files {@code RUN --mount=type=secret,id=<id>} may read, BuildKit
 *                     only ({@link BuildSecrets}); default none
 */
public record BuilderSettings(Mode mode, String buildkitAddr, Path buildctl, boolean registryCache,
    String registryCacheFallback, BuildSecrets secrets) {
  /** The {@code --builder} values. */
  public enum Mode {
    AUTO, BUILDKIT, ENGINE;

    /** Parses {@code auto}, {@code buildkit} or {@code engine} (any case). */
    public static Mode parse(String value) {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    }
  }

  /** Every problem at once; empty when usable. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (mode == null) {
      out.add("builder: is required (auto|buildkit|engine)");
    }
    if (buildkitAddr == null || !(buildkitAddr.startsWith("unix://") || buildkitAddr.startsWith("tcp://"))) {
      out.add("buildkitAddr: must be unix:///path or tcp://host:port");
    }
    if (buildctl == null) {
      out.add("buildctl: is required");
    }
    if (registryCacheFallback == null || !registryCacheFallback.isEmpty()
        && !registryCacheFallback.matches("[A-Za-z0-9_][A-Za-z0-9_./-]{0,254}")) {
      out.add("registryCacheFallback: must be a branch name or empty");
    }
    if (secrets == null) {
      out.add("secrets: is required (no secrets: an empty BuildSecrets)");
    } else {
      out.addAll(secrets.problems());
    }
    return out;
  }

  @Override
  public String toString() {
    return mode.name().toLowerCase(Locale.ROOT) + " (buildkit at " + buildkitAddr + ", registry cache "
        + (registryCache ? "on" : "off") + ", build secrets " + secrets + ")";
  }
}
