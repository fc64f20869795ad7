package io.blacktree.bridge;

import io.blacktree.testsupport.ServiceRequirement;


import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A RabbitMQ node of the test's own (Debian's rabbitmq-server, own node name, ports and data directory), so a
 * test can restart a broker without touching the shared one. Data survives {@link #restart()}.
 */
final class PrivateRabbit implements AutoCloseable {
  private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
  private static final Path CTL = Path.of("/usr/lib/rabbitmq/bin/rabbitmqctl");

  private final String node = "bt-it-" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
  private final Path dir;
  private final int port;
  private final int distPort;
  private Process process;

  PrivateRabbit() throws Exception {
    ServiceRequirement.requireThat(Files.isExecutable(SERVER), SERVER + " (Debian rabbitmq-server)");
    dir = Files.createTempDirectory("bt-rabbit-");
    Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
    port = freePort();
    distPort = freePort();
    start();
  }

  String url() {
    return "amqp://guest:guest@127.0.0.1:" + port;
  }

  void start() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(SERVER.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("server.log").toFile());
    environment(pb.environment());
    process = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!listening()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("private RabbitMQ did not start; see " + dir.resolve("server.log"));
      }
      Thread.sleep(200);
    }
  }

  void stop() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(CTL.toString(), "-n", node, "stop").redirectErrorStream(true)
        .redirectOutput(dir.resolve("ctl.log").toFile());
    environment(pb.environment());
    Process ctl = pb.start();
    ctl.waitFor(60, TimeUnit.SECONDS);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  void restart() throws Exception {
    stop();
    start();
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
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
  public void close() throws Exception {
    try {
      if (process != null && process.isAlive()) {
        stop();
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
