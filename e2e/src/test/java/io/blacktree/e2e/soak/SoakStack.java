package io.blacktree.e2e.soak;

import io.blacktree.e2e.faults.PrivateDockerd;
import io.blacktree.e2e.faults.PrivateTemporal;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.e2e.support.Docker;
import io.blacktree.testsupport.PrivateRabbit;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.fault.FaultProxy;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one-node pipeline for a soak, every part of it the soak's own except the registry (127.0.0.1:5000, unique
 * repository names): a private Temporal dev server, a private RabbitMQ node, a private dockerd, a git daemon;
 * {@code W} build workers (reached by the orchestrator through a {@link FaultProxy} each), one orchestrator and
 * one bridge, each a real {@code blacktree} process. Every component can be killed and started again; the
 * services can be restarted.
 */
final class SoakStack implements SoakPipeline {
  static final Duration LINK_CUT = Duration.ofSeconds(20);

  private final TestIds ids;
  private final Path dir;
  private final GitRepos repos;
  private final String registry;
  private final PrivateTemporal temporal;
  private final PrivateRabbit rabbit;
  private final PrivateDockerd dockerd;
  private final int workerCount;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<FaultProxy> links = new ArrayList<>();
  private SoakWorkers workers;
  private GitDaemonServer git;
  private ComponentProcess orchestrator;
  private ComponentProcess bridge;
  private int orchestratorStarts;
  private int bridgeStarts;

  SoakStack(Path dir, int workers) throws IOException {
    this.ids = TestIds.forName("soak");
    this.dir = dir;
    this.workerCount = workers;
    this.repos = new GitRepos(dir.resolve("git"));
    this.registry = ServiceEndpoints.fromEnvironment().registryOpen();
    this.temporal = new PrivateTemporal(dir.resolve("temporal"));
    this.rabbit = new PrivateRabbit(dir.resolve("rabbit"));
    this.dockerd = new PrivateDockerd();
  }

  @Override
  public void start() throws Exception {
    temporal.start();
    rabbit.start();
    dockerd.start();
    git = GitDaemonServer.start(repos.baseDir());
    closeables.add(git);
    Cli.Result setup = new Cli(Map.of(
        "BLACKTREE_TEMPORAL", temporal.target(),
        "BLACKTREE_NAMESPACE", "default",
        "BLACKTREE_AMQP", rabbit.url(),
        "BLACKTREE_QUEUE_PREFIX", queuePrefix())).run("setup");
    if (setup.exitCode() != 0) {
      throw new IllegalStateException("blacktree setup failed: " + setup);
    }
    workers = new SoakWorkers(ids, dir, workerCount, registry, git.baseUrl(), dockerd.host());
    closeables.add(workers);
    for (int i = 0; i < workerCount; i++) {
      workers.start(i);
      FaultProxy link = FaultProxy.start("127.0.0.1", workers.port(i));
      closeables.add(link);
      links.add(link);
    }
    startOrchestrator();
    startBridge();
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
    return temporal.target();
  }

  @Override
  public String amqpUrls() {
    return rabbit.url();
  }

  @Override
  public boolean replicatedQueues() {
    return false;
  }

  @Override
  public SoakWorkers workers() {
    return workers;
  }

  String deployTaskQueue() {
    return ids.name("deploy");
  }

  // ---- processes

  private void startOrchestrator() {
    orchestratorStarts++;
    List<String> addresses = links.stream().map(FaultProxy::address).toList();
    orchestrator = ComponentProcess.blacktree(ids.name("orchestrator") + "-" + orchestratorStarts, List.of(
        "orchestrator", "--temporal", temporal.target(), "--namespace", "default",
        "--amqp", rabbit.url(), "--queue-prefix", queuePrefix(),
        "--workers", String.join(",", addresses),
        "--deploy-task-queue", deployTaskQueue(), "--dispatch-task-queue", ids.name("dispatch"),
        "--job-time-limit", "PT5M", "--heartbeat-timeout", "PT10S", "--max-attempts", "8",
        "--initial-backoff", "PT2S", "--max-backoff", "PT8S", "--health-check-interval", "PT1S"));
    closeables.add(orchestrator);
    orchestrator.awaitLog("is healthy", Duration.ofSeconds(120));
  }

  private void startBridge() {
    bridgeStarts++;
    bridge = ComponentProcess.blacktree(ids.name("bridge") + "-" + bridgeStarts, List.of("bridge",
        "--temporal", temporal.target(), "--namespace", "default",
        "--amqp", rabbit.url(), "--queue-prefix", queuePrefix(), "--task-queue", deployTaskQueue()));
    closeables.add(bridge);
  }

  @Override
  public void stopBridges() {
    bridge.close();
  }

  // ---- faults

  @Override
  public List<FaultKind> faultKinds() {
    return SoakMode.SINGLE.faultKinds();
  }

  @Override
  public String target(FaultSchedule.Planned f) {
    return switch (f.kind()) {
      case WORKER_KILL, LINK_CUT -> "worker" + f.worker();
      case ORCHESTRATOR_KILL -> "orchestrator";
      case BRIDGE_KILL -> "bridge";
      case RABBIT_RESTART -> "rabbitmq";
      case TEMPORAL_RESTART -> "temporal";
      case DOCKERD_RESTART -> "dockerd";
      default -> throw new IllegalArgumentException(f.kind() + " is not a fault of the one-node soak");
    };
  }

  @Override
  public void inject(FaultSchedule.Planned f) throws Exception {
    switch (f.kind()) {
      case WORKER_KILL -> {
        workers.kill(f.worker());
        Thread.sleep(2000);
        workers.start(f.worker());
      }
      case ORCHESTRATOR_KILL -> {
        orchestrator.kill();
        Thread.sleep(3000);
        startOrchestrator();
      }
      case BRIDGE_KILL -> {
        bridge.kill();
        Thread.sleep(2000);
        startBridge();
      }
      case RABBIT_RESTART -> rabbit.restart();
      case TEMPORAL_RESTART -> {
        temporal.kill();
        Thread.sleep(5000);
        temporal.start();
      }
      case LINK_CUT -> {
        links.get(f.worker()).blackhole(LINK_CUT);
        Thread.sleep(LINK_CUT.toMillis());
        links.get(f.worker()).pass();
      }
      case DOCKERD_RESTART -> {
        dockerd.stop();
        dockerd.start();
      }
      default -> throw new IllegalArgumentException(f.kind() + " is not a fault of the one-node soak");
    }
  }

  @Override
  public List<String> restartDead() {
    List<String> dead = new ArrayList<>();
    for (int i = 0; i < workerCount; i++) {
      if (!workers.process(i).isAlive()) {
        dead.add(workers.process(i).toString());
        workers.start(i);
      }
    }
    if (!orchestrator.isAlive()) {
      dead.add(orchestrator.toString());
      startOrchestrator();
    }
    if (!bridge.isAlive()) {
      dead.add(bridge.toString());
      startBridge();
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
    for (AutoCloseable c : new AutoCloseable[] {dockerd, rabbit, temporal}) {
      try {
        c.close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }
}
