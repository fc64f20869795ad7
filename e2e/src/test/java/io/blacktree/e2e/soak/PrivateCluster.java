package io.blacktree.e2e.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A second copy of the cluster profile ({@code scripts/services start cluster}: PostgreSQL, the Temporal server
 * as four processes, three clustered RabbitMQ nodes), the soak's own so it can kill them: its own
 * {@code BLACKTREE_HOME} under the soak's directory (the built binaries linked in from the shared one), its own
 * ports and RabbitMQ node names. Faults act on the processes the script started, by its PID files; the script
 * brings them back.
 */
final class PrivateCluster implements AutoCloseable {
  static final int NODES = 3;
  private static final int PG_PORT = 5453;
  private static final int TEMPORAL_PORT = 7533;
  private static final int UI_PORT = 8533;
  private static final int AMQP_PORT = 5693;

  private final Path root;
  private final Path home;
  private final Map<String, String> env = new LinkedHashMap<>();

  /** A cluster whose state lives under {@code dir}; {@code root} is the repository (for scripts/services). */
  PrivateCluster(Path root, Path dir) throws IOException {
    this.root = root;
    this.home = Files.createDirectories(dir.resolve("home"));
    Path shared = Path.of(System.getenv().getOrDefault("BLACKTREE_HOME",
        Path.of(System.getProperty("user.home"), ".blacktree").toString()));
    // The Temporal CLI, the server build and its module cache (schema files): built once, shared read-only.
    for (String built : List.of("go", "temporal-cluster", "buildkit-bin")) {
      Path link = home.resolve(built);
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, shared.resolve(built));
      }
    }
    env.put("BLACKTREE_HOME", home.toString());
    env.put("BLACKTREE_CLUSTER_PG_PORT", Integer.toString(PG_PORT));
    env.put("BLACKTREE_CLUSTER_TEMPORAL_PORT", Integer.toString(TEMPORAL_PORT));
    env.put("BLACKTREE_CLUSTER_TEMPORAL_UI_PORT", Integer.toString(UI_PORT));
    env.put("BLACKTREE_CLUSTER_AMQP_PORT", Integer.toString(AMQP_PORT));
    env.put("BLACKTREE_CLUSTER_RABBIT_NODE", "bt-soak");
    // `start cluster` checks the engine, registries and buildkitd too: those are the shared ones, left alone.
    env.put("BLACKTREE_BUILDKIT_SOCK", shared.resolve("run").resolve("buildkitd.sock").toString());
  }

  String temporalTarget() {
    return "127.0.0.1:" + TEMPORAL_PORT;
  }

  String amqpUrl(int node) {
    return "amqp://guest:guest@127.0.0.1:" + (AMQP_PORT + node - 1);
  }

  /** Every node's URL, comma-separated, as Blacktree's {@code --amqp} takes them. */
  String amqpUrls() {
    return IntStream.rangeClosed(1, NODES).mapToObj(this::amqpUrl).collect(Collectors.joining(","));
  }

  /** Starts whatever of the cluster is not answering and waits until all of it does. */
  void start() throws IOException, InterruptedException {
    services(Duration.ofMinutes(10), "start", "cluster");
  }

  /** {@code scripts/services start SERVICE} ({@code postgres}, {@code temporal-history}, {@code rabbitmq-2}, ...). */
  void start(String service) throws IOException, InterruptedException {
    services(Duration.ofMinutes(5), "start", service);
  }

  /** {@code scripts/services restart SERVICE}: stopped with its clean signal, then started again. */
  void restart(String service) throws IOException, InterruptedException {
    services(Duration.ofMinutes(5), "restart", service);
  }

  /** SIGKILL to a process of this cluster, found by the script's PID file; waits until it is gone. */
  void kill9(String service) throws IOException {
    Path pidFile = home.resolve("run").resolve(service + ".pid");
    long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
    ProcessHandle process = ProcessHandle.of(pid)
        .orElseThrow(() -> new IllegalStateException(service + " (pid " + pid + ") is not running"));
    process.destroyForcibly();
    process.onExit().orTimeout(30, TimeUnit.SECONDS).join();
  }

  private String services(Duration bound, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", "scripts/services"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Path out = Files.createTempFile(home, "services-", ".log");
    Process p = builder.redirectOutput(out.toFile()).start();
    if (!p.waitFor(bound.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("scripts/services " + String.join(" ", args) + " did not end within " + bound);
    }
    String text = Files.readString(out);
    Files.delete(out);
    if (p.exitValue() != 0) {
      throw new IllegalStateException("scripts/services " + String.join(" ", args) + " exited " + p.exitValue()
          + ": " + text);
    }
    return text;
  }

  /** Stops every service of this cluster (only those its PID files name). */
  @Override
  public void close() throws IOException, InterruptedException {
    services(Duration.ofMinutes(5), "stop", "cluster");
  }
}
