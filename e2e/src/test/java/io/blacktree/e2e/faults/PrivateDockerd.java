package io.blacktree.e2e.faults;

import io.blacktree.testsupport.ServiceRequirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Docker engine of the test's own: a second {@code dockerd} (with the containerd it starts itself) on a unix
 * socket, data root and exec root in a short temp directory (a unix socket path must stay under ~100 chars),
 * no iptables and no bridge (like the shared engine), so a test can stop it without touching the shared one.
 * Its storage driver is {@code overlay2}, as users run, unless an overlay mount probe in its directory fails
 * ({@link #storageDriver()}: then {@code vfs}). Its data survives {@link #stop()}.
 */
public final class PrivateDockerd implements AutoCloseable {
  private final Path dir;
  private final String storageDriver;
  private int starts;
  private Process process;

  public PrivateDockerd() throws IOException {
    ServiceRequirement.requireThat(Files.isExecutable(Path.of("/usr/sbin/dockerd"))
        || Files.isExecutable(Path.of("/usr/bin/dockerd")), "dockerd (a second engine of the test's own)");
    this.dir = Files.createTempDirectory(Path.of("/tmp"), "btd");
    this.storageDriver = OverlayProbe.works(dir) ? "overlay2" : "vfs";
  }

  /** {@code overlay2}, or {@code vfs} where the kernel refused an overlay mount in this engine's directory. */
  public String storageDriver() {
    return storageDriver;
  }

  /** The {@code --docker-host} / {@code docker -H} value. */
  public String host() {
    return "unix://" + dir.resolve("d.sock");
  }

  /** Starts the engine (again) and waits until it answers {@code docker version}. */
  public void start() throws IOException, InterruptedException {
    starts++;
    Path log = dir.resolve("dockerd-" + starts + ".log");
    process = new ProcessBuilder(List.of("dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none",
        "--storage-driver=" + storageDriver, "--host", host(), "--data-root", dir.resolve("data").toString(),
        "--exec-root", dir.resolve("x").toString(), "--pidfile", dir.resolve("d.pid").toString(),
        "--shutdown-timeout", "3"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Instant end = Instant.now().plus(Duration.ofSeconds(60));
    while (!answers()) {
      if (!process.isAlive() || Instant.now().isAfter(end)) {
        throw new IllegalStateException("private dockerd did not start on " + host() + ": " + Files.readString(log));
      }
      Thread.sleep(300);
    }
  }

  /** SIGTERM to dockerd by its handle (it stops its containers and its containerd); waits until it exited. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  private boolean answers() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("docker", "-H", host(), "version", "--format", "{{.Server.Version}}")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @Override
  public void close() throws Exception {
    if (isAlive()) {
      stop();
    }
    Process rm = new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).redirectErrorStream(true)
        .start();
    rm.getInputStream().readAllBytes();
    rm.waitFor(60, TimeUnit.SECONDS);
  }
}
