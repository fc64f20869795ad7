package io.blacktree.e2e.soak;

import io.blacktree.e2e.support.ComponentProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The production shape for a soak, the soak's own except the registry ({@link SoakStackBase}): a
 * {@link PrivateCluster} (Temporal on PostgreSQL as four processes, three clustered RabbitMQ nodes), a private
 * dockerd and a git daemon; {@code W} build hosts, each a worker and an orchestrator that owns only that worker
 * (every orchestrator polls the same task queues); two bridges. Every Blacktree process is given all three broker
 * nodes.
 */
final class ClusterSoakStack extends SoakStackBase {
  static final int BRIDGES = 2;
  static final Duration RABBIT_NODE_DOWN = Duration.ofSeconds(30);

  private final PrivateCluster cluster;
  private final int hosts;
  private final List<ComponentProcess> orchestrators = new ArrayList<>();
  private final List<ComponentProcess> bridges = new ArrayList<>();
  private int starts;

  ClusterSoakStack(Path root, Path dir, int hosts) throws IOException {
    super("csoak", dir);
    this.hosts = hosts;
    this.cluster = new PrivateCluster(root, dir.resolve("cluster"));
  }

  @Override
  public void start() throws Exception {
    cluster.start();
    startCommon(hosts);
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
  protected List<AutoCloseable> services() {
    return List.of(cluster);
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

  // ---- processes

  /** Build host {@code i}'s orchestrator: it owns only worker {@code i}, on loopback as in a pod. */
  private void startOrchestrator(int i) {
    ComponentProcess p = ComponentProcess.blacktree(ids.name("orchestrator" + i) + "-" + ++starts,
        orchestratorArgs(workers.address(i)));
    closeables.add(p);
    orchestrators.set(i, p);
    p.awaitLog("is healthy", Duration.ofSeconds(180));
  }

  private void startBridge(int b) {
    ComponentProcess p = ComponentProcess.blacktree(ids.name("bridge" + b) + "-" + ++starts, bridgeArgs());
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
}
