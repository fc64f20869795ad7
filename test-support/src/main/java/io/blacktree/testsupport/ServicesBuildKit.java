package io.blacktree.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The buildkitd {@code scripts/services} runs for this machine's {@code $BLACKTREE_HOME}, and the pinned
 * {@code buildctl} beside it: for a build host a test must point at it explicitly (a process with a home of its
 * own, where no buildkitd runs, or a worker given {@code --buildkit-addr}).
 */
public final class ServicesBuildKit {
  private ServicesBuildKit() {}

  /** {@code unix://} and the socket {@code scripts/services} starts buildkitd on ({@code BLACKTREE_BUILDKIT_SOCK}). */
  public static String address() {
    String sock = System.getenv("BLACKTREE_BUILDKIT_SOCK");
    return "unix://" + (sock == null || sock.isBlank() ? PrivateBuildKit.home().resolve("run/buildkitd.sock") : sock);
  }

  /** The pinned {@code buildctl}, as {@code scripts/services} links it. */
  public static Path buildctl() {
    return PrivateBuildKit.buildctl();
  }

  /** Fails (CI) or skips the test unless that buildkitd answers {@code buildctl debug workers}. */
  public static void require() {
    ServiceRequirement.requireThat(answers(address()),
        "buildkitd at " + address() + " with " + buildctl() + " (scripts/services start buildkit)");
  }

  /** Whether a buildkitd at {@code address} answers the pinned {@code buildctl} within 10 s. */
  static boolean answers(String address) {
    if (!Files.isExecutable(buildctl())) {
      return false;
    }
    try {
      Process probe = new ProcessBuilder(List.of(buildctl().toString(), "--addr", address, "debug", "workers"))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!probe.waitFor(10, TimeUnit.SECONDS)) {
        probe.destroyForcibly();
        return false;
      }
      return probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
