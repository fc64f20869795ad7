package io.blacktree.e2e.soak;

import io.blacktree.e2e.faults.PrivateDockerd;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.e2e.support.Docker;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The production shape for a soak, the soak's own except the registry: a {@link PrivateCluster} (Temporal on
 * PostgreSQL as four processes, three clustered RabbitMQ nodes), a private dockerd and a git daemon; {@code W}
 * build hosts, each a worker and an orchestrator that owns only that worker (every orchestrator polls the same
 * task queues); two bridges. Every Blacktree process is given all three broker nodes.
 */
final class ClusterSoakStack implements SoakPipeline {
  static final int BRIDGES = 2;
  static final Duration RABBIT_NODE_DOWN = Duration.ofSeconds(30);

  private final TestIds ids;
  private final Path dir;
  private final GitRepos repos;
  private final String registry;
  private final PrivateCluster cluster;
  private final PrivateDockerd dockerd;
  private final int hosts;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<ComponentProcess> orchestrators = new ArrayList<>();
  private final List<ComponentProcess> bridges = new ArrayList<>();
  private SoakWorkers workers;
  private int starts;

  ClusterSoakStack(Path root, Path dir, int hosts) throws IOException {
    this.ids = TestIds.forName("csoak");
    this.dir = dir;
    this.hosts = hosts;
    this.repos = new GitRepos(dir.resolve("git"));
    this.registry = ServiceEndpoints.fromEnvironment().registryOpen();
    this.cluster = new PrivateCluster(root, dir.resolve("cluster"));
    this.dockerd = new PrivateDockerd();
  }

  @Override
  public void start() throws Exception {
    cluster.start();
    dockerd.start();
    GitDaemonServer git = GitDaemonServer.start(repos.baseDir());
    closeables.add(git);
    Cli.Result setup = new Cli(Map.of(
        "BLACKTREE_TEMPORAL", cluster.temporalTarget(),
        "BLACKTREE_NAMESPACE", "default",
        "BLACKTREE_AMQP", cluster.amqpUrls(),
        "BLACKTREE_QUEUE_PREFIX", queuePrefix())).run("setup");
    if (setup.exitCode() != 0) {
      throw new IllegalStateException("blacktree setup failed: " + setup);
    }
    workers = new SoakWorkers(ids, dir, hosts, registry, git.baseUrl(), dockerd.host());
    closeables.add(workers);
    for (int i = 0; i < hosts; i++) {
      workers.start(i);
      orchestrators.add(null);
      startOrchestrator(i);
    }
    for (int b = 0; b < BRIDGES; b++) {
      bridges.add(null);
      startBridge(b);
    }
  }

  @Override
  public TestIds ids() {
    return ids;
  }

  @Override
  public GitRepos repos() {
    return repos;
  }

  @Override
  public Path dir() {
    return dir;
  }

  @Override
  public String temporalTarget() {
    return cluster.temporalTarget();
  }

  @Override
  public String amqpUrls() {
    return cluster.amqpUrls();
  }

  @Override
  public boolean replicatedQueues() {
    return true;
  }

  @Override
  public SoakWorkers workers() {
    return workers;
  }

  // ---- processes

  /** Build host {@code i}'s orchestrator: it owns only worker {@code i}, on loopback as in a pod. */
  private void startOrchestrator(int i) {
    ComponentProcess p = ComponentProcess.blacktree(ids.name("orchestrator" + i) + "-" + ++starts, List.of(
        "orchestrator", "--temporal", cluster.temporalTarget(), "--namespace", "default",
        "--amqp", cluster.amqpUrls(), "--queue-prefix", queuePrefix(), "--workers", workers.address(i),
        "--deploy-task-queue", ids.name("deploy"), "--dispatch-task-queue", ids.name("dispatch"),
        "--job-time-limit", "PT5M", "--heartbeat-timeout", "PT10S", "--max-attempts", "8",
        "--initial-backoff", "PT2S", "--max-backoff", "PT8S", "--health-check-interval", "PT1S"));
    closeables.add(p);
    orchestrators.set(i, p);
    p.awaitLog("is healthy", Duration.ofSeconds(180));
  }

  private void startBridge(int b) {
    ComponentProcess p = ComponentProcess.blacktree(ids.name("bridge" + b) + "-" + ++starts, List.of("bridge",
        "--temporal", cluster.temporalTarget(), "--namespace", "default", "--amqp", cluster.amqpUrls(),
        "--queue-prefix", queuePrefix(), "--task-queue", ids.name("deploy")));
    closeables.add(p);
    bridges.set(b, p);
  }

  @Override
  public void stopBridges() {
    bridges.forEach(ComponentProcess::close);
  }

  // ---- faults

  @Override
  public List<FaultKind> faultKinds() {
    return SoakMode.CLUSTER.faultKinds();
  }

  @Override
  public String target(FaultSchedule.Planned f) {
    return switch (f.kind()) {
      case HISTORY_KILL -> "temporal-history";
      case FRONTEND_RESTART -> "temporal-frontend";
      case RABBIT_NODE_KILL -> node(f);
      case BUILD_HOST_KILL -> "build-host" + host(f);
      case BRIDGE_KILL -> "bridge" + f.worker() % BRIDGES;
      case POSTGRES_RESTART -> "postgres";
      default -> throw new IllegalArgumentException(f.kind() + " is not a fault of the cluster soak");
    };
  }

  @Override
  public void inject(FaultSchedule.Planned f) throws Exception {
    switch (f.kind()) {
      case HISTORY_KILL -> {
        cluster.kill9("temporal-history");
        Thread.sleep(3000);
        cluster.start("temporal-history");
      }
      case FRONTEND_RESTART -> cluster.restart("temporal-frontend");
      case RABBIT_NODE_KILL -> {
        cluster.kill9(node(f));
        Thread.sleep(RABBIT_NODE_DOWN.toMillis());
        cluster.start(node(f));
      }
      case BUILD_HOST_KILL -> {
        int i = host(f);
        workers.kill(i);
        orchestrators.get(i).kill();
        Thread.sleep(2000);
        workers.start(i);
        startOrchestrator(i);
      }
      case BRIDGE_KILL -> {
        int b = f.worker() % BRIDGES;
        bridges.get(b).kill();
        Thread.sleep(2000);
        startBridge(b);
      }
      case POSTGRES_RESTART -> cluster.restart("postgres");
      default -> throw new IllegalArgumentException(f.kind() + " is not a fault of the cluster soak");
    }
  }

  private int host(FaultSchedule.Planned f) {
    return f.worker() % hosts;
  }

  private static String node(FaultSchedule.Planned f) {
    return "rabbitmq-" + (f.worker() % PrivateCluster.NODES + 1);
  }

  @Override
  public List<String> restartDead() {
    List<String> dead = new ArrayList<>();
    for (int i = 0; i < hosts; i++) {
      if (!workers.process(i).isAlive()) {
        dead.add(workers.process(i).toString());
        workers.start(i);
      }
      if (!orchestrators.get(i).isAlive()) {
        dead.add(orchestrators.get(i).toString());
        startOrchestrator(i);
      }
    }
    for (int b = 0; b < BRIDGES; b++) {
      if (!bridges.get(b).isAlive()) {
        dead.add(bridges.get(b).toString());
        startBridge(b);
      }
    }
    return dead;
  }

  // ---- what is left

  @Override
  public List<String> containers() {
    return Docker.cli("-H", dockerd.host(), "ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}} {{.Command}}")
        .lines().filter(l -> !l.isBlank()).toList();
  }

  @Override
  public void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    for (AutoCloseable c : new AutoCloseable[] {dockerd, cluster}) {
      try {
        c.close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }
}
