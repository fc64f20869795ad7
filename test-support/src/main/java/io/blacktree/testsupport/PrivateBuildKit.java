package io.blacktree.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A buildkitd of the test's own: the pinned binary {@code scripts/services} builds, with its own state directory
 * and socket under the test's directory, so its local cache starts empty (a build host that never built
 * anything). RUN steps get the host network namespace like the services' buildkitd; the worker forces none.
 * Uses the overlayfs snapshotter, and the native one where overlay mounts fail.
 */
public final class PrivateBuildKit implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(60);
  private final Path dir;
  private final Path socket;
  private Process process;

  private PrivateBuildKit(Path dir) {
    this.dir = dir;
    this.socket = dir.resolve("buildkitd.sock");
  }

  /** The pinned {@code buildkitd}, as {@code scripts/services} links it. */
  public static Path buildkitd() {
    return home().resolve("bin/buildkitd");
  }

  /** The pinned {@code buildctl}, as {@code scripts/services} links it. */
  public static Path buildctl() {
    return home().resolve("bin/buildctl");
  }

  /** Starts a buildkitd whose state lives under {@code dir} and waits until it answers. */
  public static PrivateBuildKit start(Path dir) throws IOException, InterruptedException {
    ServiceRequirement.requireThat(Files.isExecutable(buildkitd()) && Files.isExecutable(buildctl()),
        buildkitd() + " and " + buildctl() + " (scripts/services start buildkit builds them)");
    PrivateBuildKit kit = new PrivateBuildKit(Files.createDirectories(dir));
    if (!kit.launch("overlayfs") && !kit.launch("native")) {
      throw new IllegalStateException("buildkitd under " + dir + " did not answer within " + READY
          + "; its log: " + dir.resolve("buildkitd.log"));
    }
    return kit;
  }

  /** {@code unix:///.../buildkitd.sock}, for {@code buildctl --addr} and the worker's {@code --buildkit-addr}. */
  public String address() {
    return "unix://" + socket;
  }

  private boolean launch(String snapshotter) throws IOException, InterruptedException {
    Files.deleteIfExists(socket);
    process = new ProcessBuilder(buildkitd().toString(), "--root", dir.resolve("root").toString(),
        "--addr", address(), "--oci-worker-snapshotter", snapshotter, "--oci-worker-net", "host",
        "--containerd-worker=false")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("buildkitd.log").toFile()))
        .start();
    Instant until = Instant.now().plus(READY);
    while (Instant.now().isBefore(until) && process.isAlive()) {
      if (Files.exists(socket) && ServicesBuildKit.answers(address())) {
        return true;
      }
      Thread.sleep(200);
    }
    stop();
    return false;
  }

  private void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Stops buildkitd (it unmounts its snapshots on SIGTERM); the caller's temporary directory holds the rest. */
  @Override
  public void close() throws InterruptedException {
    stop();
  }

  static Path home() {
    String home = System.getenv("BLACKTREE_HOME");
    return home == null || home.isBlank() ? Path.of(System.getProperty("user.home"), ".blacktree") : Path.of(home);
  }
}
