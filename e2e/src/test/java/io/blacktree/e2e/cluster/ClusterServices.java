package io.blacktree.e2e.cluster;

import io.blacktree.testsupport.ServiceRequirement;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The cluster profile of {@code scripts/services} ({@code start cluster}): the Temporal server on PostgreSQL
 * (frontend {@code BLACKTREE_TEST_CLUSTER_TEMPORAL}, default 127.0.0.1:7433) and three clustered RabbitMQ nodes
 * (first AMQP port {@code BLACKTREE_TEST_CLUSTER_AMQP_PORT}, default 5673). Faults act on the processes the
 * script started, found by its PID files under {@code $BLACKTREE_HOME/run}, and the script brings them back.
 */
final class ClusterServices {
  static final int NODES = 3;
  final String temporalTarget = env("BLACKTREE_TEST_CLUSTER_TEMPORAL", "127.0.0.1:7433");
  private final int firstAmqpPort = Integer.parseInt(env("BLACKTREE_TEST_CLUSTER_AMQP_PORT", "5673"));
  private final Path home = Path.of(env("BLACKTREE_HOME", System.getProperty("user.home") + "/.blacktree"));
  private final Path root = repositoryRoot();

  /** Fails (CI) or skips (elsewhere) unless the frontend and every node answer. */
  void require() {
    boolean up = open(temporalTarget) && IntStream.rangeClosed(1, NODES).allMatch(n -> open("127.0.0.1:" + amqpPort(n)));
    ServiceRequirement.requireThat(up, "The cluster profile (Temporal on PostgreSQL at " + temporalTarget
        + ", RabbitMQ nodes on " + amqpPort(1) + "-" + amqpPort(NODES) + "; `scripts/services start cluster`)");
  }

  int amqpPort(int node) {
    return firstAmqpPort + node - 1;
  }

  String amqpUrl(int node) {
    return "amqp://guest:guest@127.0.0.1:" + amqpPort(node);
  }

  /** Every node's URL, comma-separated: how a Blacktree process is given the cluster. */
  String amqpUrls() {
    return IntStream.rangeClosed(1, NODES).mapToObj(this::amqpUrl).collect(Collectors.joining(","));
  }

  /** SIGKILL to a process {@code scripts/services} started ({@code temporal-history}, {@code rabbitmq-2}, ...). */
  void kill9(String service) throws IOException {
    Path pidFile = home.resolve("run").resolve(service + ".pid");
    long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
    ProcessHandle process = ProcessHandle.of(pid)
        .orElseThrow(() -> new AssertionError(service + " (pid " + pid + " in " + pidFile + ") is not running"));
    process.destroyForcibly();
    process.onExit().orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** {@code scripts/services start SERVICE}: starts it again and waits until it is healthy. */
  void start(String service) throws IOException, InterruptedException {
    String out = services(Duration.ofMinutes(4), "start", service);
    if (!out.isEmpty() && out.contains("ERROR")) {
      throw new AssertionError("scripts/services start " + service + " failed:\n" + out);
    }
  }

  /** The node (1-3) holding the client connection named {@code connectionName}, or 0 when none does yet. */
  int nodeOf(String connectionName) throws IOException, InterruptedException {
    String out = services(Duration.ofSeconds(60), "rabbitmqctl-cluster", "1", "list_connections", "-q", "pid",
        "client_properties");
    Pattern node = Pattern.compile("<blacktree-cluster-(\\d)@");
    for (String line : out.split("\n")) {
      Matcher m = node.matcher(line);
      if (line.contains("\"" + connectionName + "\"") && m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    return 0;
  }

  /** {@code rabbitmqctl} against node 1, for what a test reads from the broker (queue types, members). */
  String rabbitmqctl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("rabbitmqctl-cluster", "1"));
    command.addAll(List.of(args));
    return services(Duration.ofSeconds(60), command.toArray(String[]::new));
  }

  /**
   * Runs Temporal's CLI as {@code scripts/services} installed it ({@code $BLACKTREE_HOME/go/bin/temporal}) and
   * returns its output; fails when it exits non-zero.
   */
  String temporalCli(String... args) throws IOException, InterruptedException {
    Path binary = home.resolve("go").resolve("bin").resolve("temporal");
    ServiceRequirement.requireThat(Files.isExecutable(binary), binary + " (Temporal's CLI; `scripts/services start`)");
    List<String> command = new ArrayList<>(List.of(binary.toString()));
    command.addAll(List.of(args));
    return run(command, Duration.ofSeconds(60));
  }

  private String services(Duration bound, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", "scripts/services"));
    command.addAll(List.of(args));
    return run(command, bound);
  }

  private String run(List<String> command, Duration bound) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
    byte[] out;
    try (var in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(bound.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not end within " + bound);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
    }
    return text;
  }

  private static boolean open(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 3000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("scripts/services")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new AssertionError("scripts/services not found above " + Path.of("").toAbsolutePath());
  }
}
