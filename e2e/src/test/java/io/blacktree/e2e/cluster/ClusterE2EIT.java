package io.blacktree.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.Names;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.e2e.support.Docker;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One job end to end on the production shape ({@code scripts/services start cluster}): the Temporal server on
 * PostgreSQL as four processes, and three clustered RabbitMQ nodes that a bridge, an orchestrator and the
 * worker's results reach through the comma-separated {@code --amqp} list. {@code blacktree submit --wait}
 * publishes a slow build; while it builds, the history process and the RabbitMQ node the bridge is connected
 * to are killed with SIGKILL, then started again by {@code scripts/services}. The job must still succeed once:
 * its image in the registry and running, one workflow execution found by {@code BlacktreeRepo} on the
 * PostgreSQL visibility store (through the API and through Temporal's CLI, {@code temporal workflow list
 * --query "BlacktreeRepo='owner/name'"}), and the build queue and dead-letter queue quorum queues on all three nodes.
 */
class ClusterE2EIT {
  private static final String ACCOUNT = "123456789012";
  private static final Duration JOB_BOUND = Duration.ofMinutes(5);

  @TempDir static Path dir;
  static final TestIds ids = TestIds.forClass(ClusterE2EIT.class);
  static final ServiceEndpoints endpoints = ServiceEndpoints.fromEnvironment();
  static final ClusterServices cluster = new ClusterServices();
  static final List<AutoCloseable> closeables = new ArrayList<>();
  static GitRepos repos;
  static GitDaemonServer git;
  static int workerPort;
  static ManagedChannel workerChannel;
  static WorkflowServiceStubs temporal;
  static ComponentProcess bridge;

  @BeforeAll
  static void start() throws Exception {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN);
    cluster.require();
    repos = new GitRepos(dir.resolve("git"));
    git = GitDaemonServer.start(repos.baseDir());
    closeables.add(git);
    // setup is idempotent: on a loaded machine its first connect to the frontend can miss its deadline (exit 3)
    Cli.Result setup = cli().run("setup");
    for (int tries = 1; setup.exitCode() == 3 && tries < 6; tries++) {
      Thread.sleep(5000);
      setup = cli().run("setup");
    }
    assertThat(setup.exitCode()).as(setup.toString()).isZero();

    workerPort = ComponentProcess.freePort();
    ComponentProcess worker = process("worker", List.of("worker",
        "--port", Integer.toString(workerPort), "--workdir", dir.resolve("work").toString(),
        "--git-cache-dir", dir.resolve("git-cache").toString(),
        "--registry", "none", "--registry-url", endpoints.registryOpen(),
        "--git-base-url", git.baseUrl(), "--worker-id", ids.name("worker"),
        "--job-time-limit", "PT5M", "--grace", "PT30S"));
    worker.awaitPort(workerPort, Duration.ofSeconds(90));
    workerChannel = NettyChannelBuilder.forAddress("127.0.0.1", workerPort).usePlaintext().build();
    // The build-host unit: an orchestrator that owns only its own worker.
    ComponentProcess orchestrator = process("orchestrator", List.of("orchestrator",
        "--temporal", cluster.temporalTarget, "--namespace", "default", "--amqp", cluster.amqpUrls(),
        "--queue-prefix", queuePrefix(), "--workers", "127.0.0.1:" + workerPort,
        "--deploy-task-queue", ids.name("deploy"), "--dispatch-task-queue", ids.name("dispatch"),
        "--job-time-limit", "PT5M", "--heartbeat-timeout", "PT10S", "--max-attempts", "6",
        "--initial-backoff", "PT2S", "--max-backoff", "PT4S", "--health-check-interval", "PT1S"));
    orchestrator.awaitLog("is healthy", Duration.ofSeconds(120));
    bridge = process("bridge", List.of("bridge",
        "--temporal", cluster.temporalTarget, "--namespace", "default", "--amqp", cluster.amqpUrls(),
        "--queue-prefix", queuePrefix(), "--task-queue", ids.name("deploy"), "--metrics-port", "0"));
    temporal = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(cluster.temporalTarget).build());
  }

  @AfterAll
  static void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    if (workerChannel != null) {
      workerChannel.shutdownNow();
    }
    if (temporal != null) {
      temporal.shutdownNow();
    }
    for (int node = 1; node <= ClusterServices.NODES; node++) {
      cluster.start("rabbitmq-" + node);
    }
    cluster.start("temporal-history");
    for (String queue : List.of(Names.BUILD_QUEUE, Names.DEAD_LETTER_QUEUE)) {
      cluster.rabbitmqctl("delete_queue", queuePrefix() + queue);
    }
  }

  @Test
  void submitWait_historyAndBridgesRabbitNodeKilledMidBuild_succeedsOnceAndIsListedByRepo() throws Exception {
    assertQuorumOnAllNodes(queuePrefix() + Names.BUILD_QUEUE);
    assertQuorumOnAllNodes(queuePrefix() + Names.DEAD_LETTER_QUEUE);
    awaitTrue("the bridge's AMQP connection", Duration.ofSeconds(90), () -> nodeOfBridge() > 0);
    int victim = nodeOfBridge();
    int survivor = victim % ClusterServices.NODES + 1;

    String repo = "acme/" + ids.next("slow");
    String marker = "cluster-" + ids.next("marker") + "-" + System.nanoTime();
    repos.create(repo, "main", Map.of("busybox", Path.of("/bin/busybox"), "Dockerfile",
        "FROM scratch\nCOPY busybox /bin/busybox\n"
            + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox sleep 25; echo " + marker + " > /m\"]\n"
            + "CMD [\"/bin/busybox\", \"cat\", \"/m\"]\n"));
    String ecrRepo = ids.next("image");
    CompletableFuture<Cli.Result> submitted = CompletableFuture.supplyAsync(() -> cli().run("submit", "--wait",
        "--amqp", cluster.amqpUrl(survivor), "--repo", repo, "--branch", "main", "--version", "v1",
        "--account", ACCOUNT, "--ecr-repo", ecrRepo, "--timeout", "PT5M"));

    awaitTrue("the worker building " + repo, Duration.ofSeconds(120), () -> building(submitted));
    cluster.kill9("temporal-history");
    cluster.kill9("rabbitmq-" + victim);
    cluster.start("temporal-history");
    cluster.start("rabbitmq-" + victim);

    Cli.Result result = submitted.get(JOB_BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(result.exitCode()).as(result + "\n" + bridge.output()).isZero();
    assertThat(result.out()).contains("SUCCESS");
    String image = endpoints.registryOpen() + "/" + ecrRepo + ":v1";
    Docker.cli("pull", image);
    assertThat(Docker.cli("run", "--rm", "--network=none", image)).contains(marker);
    awaitTrue("one COMPLETED execution listed by BlacktreeRepo", Duration.ofSeconds(60), () -> {
      ListWorkflowExecutionsResponse listed = temporal.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
          .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder().setNamespace("default")
              .setQuery("BlacktreeRepo = '" + repo + "'").build());
      return listed.getExecutionsCount() == 1
          && listed.getExecutions(0).getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
    });
    // What an operator types: Temporal's own CLI (the one scripts/services installs) finds the job by repository.
    String workflowId = "deploy:" + ACCOUNT + ":us-east-1:" + ecrRepo + ":v1";
    String cliList = cluster.temporalCli("workflow", "list", "--address", cluster.temporalTarget,
        "--namespace", "default", "--query", "BlacktreeRepo='" + repo + "'");
    assertThat(cliList.lines().filter(l -> l.contains("DeployJob")).toList()).as(cliList)
        .singleElement().asString().contains("Completed", workflowId);
  }

  private void assertQuorumOnAllNodes(String queue) throws Exception {
    String status = cluster.rabbitmqctl("list_queues", "-q", "name", "type", "members");
    String line = status.lines().filter(l -> l.startsWith(queue + "\t")).findFirst()
        .orElseThrow(() -> new AssertionError(queue + " not listed:\n" + status));
    assertThat(line).contains("quorum");
    for (int node = 1; node <= ClusterServices.NODES; node++) {
      assertThat(line).contains("blacktree-cluster-" + node + "@localhost");
    }
  }

  private static int nodeOfBridge() {
    try {
      return cluster.nodeOf("blacktree-bridge");
    } catch (Exception e) {
      return 0;
    }
  }

  private static boolean building(CompletableFuture<Cli.Result> submitted) {
    if (submitted.isDone()) {
      throw new AssertionError("submit ended before the build: " + submitted.join());
    }
    try {
      WorkerStatus s = WorkerGrpc.newBlockingStub(workerChannel).withDeadlineAfter(5, TimeUnit.SECONDS)
          .getStatus(GetStatusRequest.getDefaultInstance());
      return s.getState() == WorkerState.BUSY && s.getStep() == Step.BUILDING;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void awaitTrue(String what, Duration bound, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + bound + ": " + what + "\nbridge:\n" + bridge.output());
      }
      Thread.sleep(250);
    }
  }

  private static Cli cli() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("BLACKTREE_TEMPORAL", cluster.temporalTarget);
    env.put("BLACKTREE_NAMESPACE", "default");
    env.put("BLACKTREE_AMQP", cluster.amqpUrls());
    env.put("BLACKTREE_QUEUE_PREFIX", queuePrefix());
    return new Cli(env);
  }

  private static ComponentProcess process(String role, List<String> args) {
    ComponentProcess p = ComponentProcess.blacktree(ids.name(role), args);
    closeables.add(p);
    return p;
  }

  private static String queuePrefix() {
    return ids.prefix() + ".";
  }
}
