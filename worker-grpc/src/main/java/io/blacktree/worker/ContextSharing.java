package io.blacktree.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Which copy of a build context buildkitd syncs into. buildkitd keeps one copy per local name ({@code context})
 * and session shared key, and compares the files it is sent with that copy by path and stat; stock
 * {@code buildctl} sends no shared key, so every build on a buildkitd shares one copy and a repository built
 * after another re-sends its whole context. The pinned buildctl ({@code scripts/services}) has
 * {@code build --shared-key}: a job that builds from a kept source tree ({@link KeptSources}) passes a key derived
 * from that tree's path (so one per repository and worker, stable across jobs), and only its changed files travel.
 * A job with a fresh checkout passes none (a key per job would leave a copy per job in buildkitd). Whether the
 * buildctl has the flag is asked once, from its {@code build --help}.
 */
final class ContextSharing {
  private final Path buildctl;
  private volatile Boolean supported;

  ContextSharing(Path buildctl) {
    this.buildctl = buildctl;
  }

  /** buildctl's arguments for a build of {@code context} in {@code ws}; {@code log} hears why there are none. */
  List<String> args(Workspace ws, Path context, Consumer<String> log) {
    if (!ws.checkoutKept()) {
      return List.of();
    }
    if (!supported()) {
      log.accept("buildctl " + buildctl + " has no --shared-key: buildkitd's copy of the context is shared with every "
          + "other build on it, so the whole context is sent when another repository built last");
      return List.of();
    }
    String key = key(context);
    log.accept("buildkitd's copy of the context: shared key " + key + " (this worker's tree of the repository)");
    return List.of("--shared-key", key);
  }

  /** The shared key of a context directory: a digest of its absolute path. */
  static String key(Path context) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(context.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      return "blacktree-" + HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Asks buildctl once; a buildctl that could not be run is asked again by the next job. */
  private boolean supported() {
    Boolean s = supported;
    if (s != null) {
      return s;
    }
    try {
      Process p = new ProcessBuilder(buildctl.toString(), "build", "--help").redirectErrorStream(true).start();
      String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      supported = help.contains("--shared-key");
      return supported;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
