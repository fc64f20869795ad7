package io.blacktree.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The conditions a run's build figures depend on, printed in its header: the engine's storage driver and version,
 * the worker's builder, and the BuildKit daemon (pinned version, snapshotter) the worker and the buildctl script
 * share. A figure that cannot be read says why instead of failing the run.
 */
final class Conditions {
  private Conditions() {}

  static void report(Report report, BuildOptions opts) {
    report.figure("storage-driver", run("docker", "info", "--format", "{{.Driver}}"));
    report.figure("docker-server-version", run("docker", "info", "--format", "{{.ServerVersion}}"));
    report.figure("builder", opts.builder() + " (worker --builder)");
    report.figure("buildkitd", opts.buildkitAddr() + ", " + buildkitVersion(opts.buildctl()) + ", snapshotter "
        + snapshotter(opts));
  }

  /** The pinned version, read from the build directory the binary lives in ({@code buildkit-bin/<version>/}). */
  private static String buildkitVersion(Path buildctl) {
    try {
      Path real = buildctl.toRealPath();
      return "buildctl " + real + (real.getParent() == null ? "" : " (version " + real.getParent().getFileName() + ")");
    } catch (IOException e) {
      return "no buildctl at " + buildctl;
    }
  }

  private static String snapshotter(BuildOptions opts) {
    String workers = run(opts.buildctl().toString(), "--addr", opts.buildkitAddr(), "debug", "workers", "-v");
    return Arrays.stream(workers.split("\n"))
        .filter(l -> l.contains("worker.snapshotter:"))
        .map(l -> l.substring(l.indexOf(':') + 1).strip())
        .findFirst().orElse("unknown (" + workers.strip().lines().findFirst().orElse("no answer") + ")");
  }

  static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "timed out: " + String.join(" ", cmd);
      }
      return new String(out, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "cannot run " + cmd[0] + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
