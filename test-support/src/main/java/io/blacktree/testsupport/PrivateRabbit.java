package io.blacktree.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of the test's own (Debian's rabbitmq-server with its own node name, ports and data directory
 * under the test's directory), so a test can restart a broker without touching the shared one. Durable queues
 * and persistent messages survive {@link #restart()}.
 */
public final class PrivateRabbit implements AutoCloseable {
  private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
  private static final Path CTL = Path.of("/usr/lib/rabbitmq/bin/rabbitmqctl");

  private final String node = "bt-e2e-" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
  private final Path dir;
  private final int port;
  private final int distPort;
  private int tlsPort;
  private int starts;
  private Process process;

  /** A node whose data, logs and config live under {@code dir}; not started yet. */
  public PrivateRabbit(Path dir) throws IOException {
    ServiceRequirement.requireThat(Files.isExecutable(SERVER), SERVER + " (Debian rabbitmq-server)");
    this.port = freePort();
    this.distPort = freePort();
    this.dir = Files.createDirectories(dir);
    Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
  }

  /** The node's AMQP URL (guest, loopback). */
  public String url() {
    return "amqp://guest:guest@127.0.0.1:" + port;
  }

  /**
   * Adds a TLS listener on an ephemeral port (call before {@link #start()}): the broker presents {@code cert}
   * (PEM, with its PKCS#8 {@code key}) and asks for client certificates of {@code ca} without requiring one.
   *
   * @return the TLS port
   */
  public int enableTls(Path ca, Path cert, Path key) throws IOException {
    tlsPort = freePort();
    Files.writeString(dir.resolve("rabbitmq.conf"), String.join("\n",
        "listeners.ssl.default = 127.0.0.1:" + tlsPort,
        "ssl_options.cacertfile = " + ca.toAbsolutePath(),
        "ssl_options.certfile = " + cert.toAbsolutePath(),
        "ssl_options.keyfile = " + key.toAbsolutePath(),
        "ssl_options.verify = verify_peer",
        "ssl_options.fail_if_no_peer_cert = false",
        ""));
    return tlsPort;
  }

  /** The node's {@code amqps://} URL on the TLS port (user guest, no password: give it apart). */
  public String tlsUrl() {
    if (tlsPort == 0) {
      throw new IllegalStateException("enableTls was not called");
    }
    return "amqps://guest@127.0.0.1:" + tlsPort;
  }

  /** The node's TLS port, 0 without {@link #enableTls}. */
  public int tlsPort() {
    return tlsPort;
  }

  /** Starts the node (again) and waits until its AMQP port accepts connections. */
  public void start() throws IOException, InterruptedException {
    starts++;
    Path log = dir.resolve("server-" + starts + ".log");
    ProcessBuilder pb = new ProcessBuilder(SERVER.toString()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    environment(pb.environment());
    process = pb.start();
    Instant end = Instant.now().plus(Duration.ofSeconds(90));
    while (!listening()) {
      if (!process.isAlive() || Instant.now().isAfter(end)) {
        throw new IllegalStateException("private RabbitMQ did not start: " + Files.readString(log));
      }
      Thread.sleep(200);
    }
  }

  /** Stops the node ({@code rabbitmqctl -n <node> stop}, this node only) and waits for its process. */
  public void stop() throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(CTL.toString(), "-n", node, "stop").redirectErrorStream(true)
        .redirectOutput(dir.resolve("ctl-" + starts + ".log").toFile());
    environment(pb.environment());
    pb.start().waitFor(60, TimeUnit.SECONDS);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Runs {@code rabbitmqctl -n <node> args} against this node (e.g. {@code add_user}, {@code set_permissions}).
   *
   * @throws IllegalStateException when it exits non-zero
   */
  public void ctl(String... args) throws IOException, InterruptedException {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(CTL.toString(), "-n", node));
    cmd.addAll(java.util.List.of(args));
    Path log = Files.createTempFile(dir, "ctl", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    environment(pb.environment());
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("rabbitmqctl " + args[0] + " failed: " + Files.readString(log));
    }
  }

  /** Stops and starts the node; durable queues and persistent messages survive. */
  public void restart() throws IOException, InterruptedException {
    stop();
    start();
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void environment(Map<String, String> env) {
    env.put("RABBITMQ_NODENAME", node);
    env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_NODE_PORT", String.valueOf(port));
    env.put("RABBITMQ_DIST_PORT", String.valueOf(distPort));
    env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
    env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq").toString());
    env.put("RABBITMQ_PID_FILE", dir.resolve("pid").toString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
  }
}
