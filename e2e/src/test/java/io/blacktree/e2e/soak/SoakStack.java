package io.blacktree.e2e.soak;

import io.blacktree.e2e.faults.PrivateDockerd;
import io.blacktree.e2e.faults.PrivateTemporal;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.e2e.support.Docker;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.blacktree.testsupport.PrivateRabbit;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.fault.FaultProxy;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The whole pipeline for a soak, every part of it the soak's own except the registry (127.0.0.1:5000, unique
 * repository names): a private Temporal dev server, a private RabbitMQ node, a private dockerd, a git daemon;
 * {@code W} build workers (each with its workdir, building on the private dockerd, reached by the orchestrator
 * through a {@link FaultProxy}), one orchestrator and one bridge, each a real {@code blacktree} process. Every
 * component can be killed and started again; the services can be restarted.
 */
final class SoakStack implements AutoCloseable {
  static final String ACCOUNT = "123456789012";
  static final String REGION = "us-east-1";

  final TestIds ids;
  final Path dir;
  final GitRepos repos;
  final String registry;
  final PrivateTemporal temporal;
  final PrivateRabbit rabbit;
  final PrivateDockerd dockerd;
  private final int workers;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<Integer> workerPorts = new ArrayList<>();
  private final List<ManagedChannel> workerChannels = new ArrayList<>();
  final List<FaultProxy> links = new ArrayList<>();
  final List<ComponentProcess> workerProcesses = new ArrayList<>();
  private final int[] workerStarts;
  private GitDaemonServer git;
  private ComponentProcess orchestrator;
  private ComponentProcess bridge;
  private int orchestratorStarts;
  private int bridgeStarts;

  SoakStack(Path dir, int workers) throws IOException {
    this.ids = TestIds.forName("soak");
    this.dir = dir;
    this.workers = workers;
    this.workerStarts = new int[workers];
    this.repos = new GitRepos(dir.resolve("git"));
    this.registry = ServiceEndpoints.fromEnvironment().registryOpen();
    this.temporal = new PrivateTemporal(dir.resolve("temporal"));
    this.rabbit = new PrivateRabbit(dir.resolve("rabbit"));
    this.dockerd = new PrivateDockerd();
  }

  void start() throws Exception {
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
    for (int i = 0; i < workers; i++) {
      int port = ComponentProcess.freePort();
      workerPorts.add(port);
      Files.createDirectories(workdir(i));
      workerProcesses.add(null);
      startWorker(i);
      workerChannels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
      FaultProxy link = FaultProxy.start("127.0.0.1", port);
      closeables.add(link);
      links.add(link);
    }
    startOrchestrator();
    startBridge();
  }

  int workers() {
    return workers;
  }

  Path workdir(int i) {
    return dir.resolve("work-" + i);
  }

  String queuePrefix() {
    return ids.prefix() + ".";
  }

  String deployTaskQueue() {
    return ids.name("deploy");
  }

  // ---- processes

  void startWorker(int i) {
    workerStarts[i]++;
    String id = ids.name("worker" + i);
    ComponentProcess p = ComponentProcess.blacktree(id + "-" + workerStarts[i], List.of("worker",
        "--port", Integer.toString(workerPorts.get(i)), "--workdir", workdir(i).toString(),
        "--git-cache-dir", dir.resolve("git-cache-" + i).toString(),
        "--registry", "none", "--registry-url", registry,
        "--git-base-url", git.baseUrl(), "--worker-id", id, "--docker-host", dockerd.host(),
        "--job-time-limit", "PT5M", "--grace", "PT30S", "--push-attempts", "8",
        // the soak's faults include restarts of its private engine, which only the engine builder uses
        "--builder", "engine"));
    closeables.add(p);
    workerProcesses.set(i, p);
    p.awaitPort(workerPorts.get(i), Duration.ofSeconds(90));
  }

  void killWorker(int i) {
    workerProcesses.get(i).kill();
  }

  void startOrchestrator() {
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

  void killOrchestrator() {
    orchestrator.kill();
  }

  void startBridge() {
    bridgeStarts++;
    bridge = ComponentProcess.blacktree(ids.name("bridge") + "-" + bridgeStarts, List.of("bridge",
        "--temporal", temporal.target(), "--namespace", "default",
        "--amqp", rabbit.url(), "--queue-prefix", queuePrefix(), "--task-queue", deployTaskQueue()));
    closeables.add(bridge);
  }

  void killBridge() {
    bridge.kill();
  }

  /** SIGTERM to the bridge (it puts its unacked messages back), waiting for it to exit. */
  void stopBridge() {
    bridge.close();
  }

  /** The components that died on their own (not killed by the soak), for the report. */
  List<String> deadComponents() {
    List<String> out = new ArrayList<>();
    for (ComponentProcess p : workerProcesses) {
      if (!p.isAlive()) {
        out.add(p.toString());
      }
    }
    if (!orchestrator.isAlive()) {
      out.add(orchestrator.toString());
    }
    if (!bridge.isAlive()) {
      out.add(bridge.toString());
    }
    return out;
  }

  // ---- what is left

  WorkerStatus workerStatus(int i) {
    return WorkerGrpc.newBlockingStub(workerChannels.get(i)).withDeadlineAfter(5, TimeUnit.SECONDS)
        .getStatus(GetStatusRequest.getDefaultInstance());
  }

  boolean workerFree(int i) {
    try {
      return workerStatus(i).getState() == WorkerState.FREE;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Job workspaces ({@code job-*}) left under worker {@code i}'s workdir. */
  List<Path> workspaces(int i) {
    try (Stream<Path> s = Files.list(workdir(i))) {
      return s.filter(p -> p.getFileName().toString().startsWith("job-")).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Containers in any state on the private engine (only the workers use it), one line each. */
  List<String> containers() {
    return docker("-H", dockerd.host(), "ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}} {{.Command}}")
        .lines().filter(l -> !l.isBlank()).toList();
  }

  static String docker(String... args) {
    return Docker.cli(args);
  }

  @Override
  public void close() {
    workerChannels.forEach(ManagedChannel::shutdownNow);
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
