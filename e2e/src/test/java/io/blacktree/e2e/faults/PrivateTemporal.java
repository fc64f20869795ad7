package io.blacktree.e2e.faults;

import io.blacktree.testsupport.ServiceRequirement;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.blacktree.e2e.support.ComponentProcess;

/**
 * A Temporal dev server of the test's own ({@code temporal server start-dev}, SQLite file under the test's
 * directory, its own ports, no Web UI), so a test can kill it without touching the shared one. The SQLite file
 * survives {@link #kill()}; {@link #start()} brings the server back on the same port with the same data.
 */
public final class PrivateTemporal implements AutoCloseable {
  private final Path binary;
  private final Path dir;
  private final int port = ComponentProcess.freePort();
  private final int httpPort = ComponentProcess.freePort();
  private final int metricsPort = ComponentProcess.freePort();
  private int starts;
  private Process process;

  public PrivateTemporal(Path dir) throws IOException {
    String home = System.getenv().getOrDefault("BLACKTREE_HOME",
        Path.of(System.getProperty("user.home"), ".blacktree").toString());
    this.binary = Path.of(home, "go", "bin", "temporal");
    ServiceRequirement.requireThat(Files.isExecutable(binary), binary + " (the Temporal CLI with its dev server)");
    this.dir = Files.createDirectories(dir);
  }

  public String target() {
    return "127.0.0.1:" + port;
  }

  Path database() {
    return dir.resolve("dev.sqlite");
  }

  /** Starts the server (again) and waits until its frontend accepts connections. */
  public void start() throws IOException, InterruptedException {
    starts++;
    Path log = dir.resolve("server-" + starts + ".log");
    process = new ProcessBuilder(List.of(binary.toString(), "server", "start-dev",
        "--ip", "127.0.0.1", "--port", Integer.toString(port), "--http-port", Integer.toString(httpPort),
        "--metrics-port", Integer.toString(metricsPort), "--ui-port", Integer.toString(ComponentProcess.freePort()),
        "--db-filename", database().toString(), "--headless", "--log-level", "warn"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Instant end = Instant.now().plus(Duration.ofSeconds(60));
    while (!listening()) {
      if (!process.isAlive() || Instant.now().isAfter(end)) {
        throw new IllegalStateException("private Temporal did not start on " + target() + ": "
            + Files.readString(log));
      }
      Thread.sleep(200);
    }
  }

  /** SIGKILL to the server process by its handle ({@code destroyForcibly}); the SQLite file stays. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("private Temporal alive 30 s after SIGKILL");
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
