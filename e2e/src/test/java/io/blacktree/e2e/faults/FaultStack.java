package io.blacktree.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.blacktree.core.BuildRequest;
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
import io.blacktree.testsupport.fault.FaultProxy;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.blacktree.workflows.DeployJobWorkflow;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One build worker and one orchestrator as real processes, with a {@link FaultProxy} on each of the worker's
 * links: orchestrator to worker ({@code --workers} names the proxy), worker to registry ({@code --registry-url}
 * names the proxy in front of 127.0.0.1:5000) and worker to git ({@code --git-base-url} names the proxy in front
 * of a {@code git daemon}). The worker's workdir is a 20 MiB tmpfs (its git cache is outside it), so a big
 * checkout fills it up. Jobs start through the Temporal API, as the bridge starts them.
 *
 * <p>A watcher polls the worker's {@code GetStatus} (directly, not through the proxy) every 100 ms and records
 * the steps each worker job ID went through: {@link #builds} is how many times a workflow's build ran.
 */
final class FaultStack implements AutoCloseable {
  static final String ACCOUNT = "123456789012";
  static final String REGION = "us-east-1";
  static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
  static final int MAX_ATTEMPTS = 6;
  private static final ObjectMapper JSON = new ObjectMapper();

  final TestIds ids;
  final ServiceEndpoints endpoints;
  final GitRepos repos;
  final Path workdir;
  final boolean workdirIsTmpfs;
  final String tmpfsProblem;
  private final Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Map<String, List<JsonNode>> results = new ConcurrentHashMap<>();
  private final Map<String, Set<Step>> stepsByJobId = new ConcurrentHashMap<>();
  private GitDaemonServer git;
  FaultProxy gitProxy;
  FaultProxy registryProxy;
  FaultProxy linkProxy;
  private Connection amqp;
  private WorkflowServiceStubs service;
  WorkflowClient client;
  private ManagedChannel workerChannel;
  ComponentProcess worker;
  ComponentProcess orchestrator;
  private volatile boolean watching = true;
  private Thread watcher;
  private AutoCloseable privateService;

  /**
   * Where the stack's components connect, for tests that run a service of their own.
   *
   * @param temporalTarget host:port of the Temporal frontend, null for the shared one
   * @param dockerHost     the worker's {@code --docker-host}, null for the shared engine
   * @param tmpfsWorkdir   whether to mount a 20 MiB tmpfs on the worker's workdir
   */
  record Options(String temporalTarget, String dockerHost, boolean tmpfsWorkdir) {
    static Options shared() {
      return new Options(null, null, true);
    }
  }

  final String temporalTarget;
  final String dockerHost;
  private int workerPort;
  private int workerStarts;
  private int orchestratorStarts;

  private FaultStack(Class<?> testClass, Path dir, boolean mounted, String tmpfsProblem, Options options) {
    this.ids = TestIds.forClass(testClass);
    this.endpoints = ServiceEndpoints.fromEnvironment();
    this.temporalTarget = options.temporalTarget() != null ? options.temporalTarget() : endpoints.temporalTarget();
    this.dockerHost = options.dockerHost();
    this.dir = dir;
    this.repos = new GitRepos(dir.resolve("git"));
    this.workdir = dir.resolve("work");
    this.workdirIsTmpfs = mounted;
    this.tmpfsProblem = tmpfsProblem;
  }

  /**
   * Starts everything under {@code dir}. The tmpfs mount needs root: without it the workdir is a plain
   * directory and {@link #workdirIsTmpfs} is false (the disk-full test then fails in CI, skips elsewhere).
   */
  static FaultStack start(Class<?> testClass, Path dir) throws Exception {
    return start(testClass, dir, Options.shared());
  }

  /** Starts everything under {@code dir}, connected as {@code options} says. */
  static FaultStack start(Class<?> testClass, Path dir, Options options) throws Exception {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN, Service.RABBITMQ);
    if (options.temporalTarget() == null) {
      ServiceRequirement.require(Service.TEMPORAL);
    }
    Path work = dir.resolve("work");
    Files.createDirectories(work);
    String problem = options.tmpfsWorkdir() ? mountTmpfs(work) : "no tmpfs asked for";
    FaultStack stack = new FaultStack(testClass, dir, problem == null, problem, options);
    try {
      stack.startAll();
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  /** Starts {@code temporal} (a dev server of the test's own), then the stack on it; the stack closes it last. */
  static FaultStack startOn(Class<?> testClass, Path dir, PrivateTemporal temporal) throws Exception {
    return owning(temporal, () -> {
      temporal.start();
      return start(testClass, dir, new Options(temporal.target(), null, false));
    });
  }

  /** Starts {@code dockerd} (an engine of the test's own), then the stack's worker on it; closed last as well. */
  static FaultStack startOn(Class<?> testClass, Path dir, PrivateDockerd dockerd) throws Exception {
    return owning(dockerd, () -> {
      dockerd.start();
      return start(testClass, dir, new Options(null, dockerd.host(), false));
    });
  }

  /** Runs {@code start} and gives the stack {@code service} to close; closes the service if the start fails. */
  private static FaultStack owning(AutoCloseable service, Callable<FaultStack> start) throws Exception {
    try {
      FaultStack stack = start.call();
      stack.privateService = service;
      return stack;
    } catch (Exception | Error e) {
      try {
        service.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** Mounts a 20 MiB tmpfs on {@code dir}; returns null or why it could not. */
  private static String mountTmpfs(Path dir) throws InterruptedException {
    try {
      Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", dir.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return "mount -t tmpfs -o size=20m tmpfs " + dir + " failed (needs root; CI runs as root): " + out.strip();
      }
      return null;
    } catch (IOException e) {
      return "mount not runnable: " + e.getMessage();
    }
  }

  private void startAll() throws Exception {
    git = GitDaemonServer.start(repos.baseDir());
    closeables.add(git);
    gitProxy = FaultProxy.start("127.0.0.1", git.port());
    closeables.add(gitProxy);
    registryProxy = FaultProxy.start(endpoints.registryOpen());
    closeables.add(registryProxy);

    Cli cli = new Cli(Map.of(
        "BLACKTREE_TEMPORAL", temporalTarget,
        "BLACKTREE_NAMESPACE", endpoints.temporalNamespace(),
        "BLACKTREE_AMQP", amqpUrl(),
        "BLACKTREE_QUEUE_PREFIX", queuePrefix()));
    Cli.Result setup = cli.run("setup");
    assertThat(setup.exitCode()).as(setup.toString()).isZero();
    listenForResults();
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporalTarget).build());
    client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(endpoints.temporalNamespace()).build());

    workerPort = ComponentProcess.freePort();
    startWorker();
    workerChannel = NettyChannelBuilder.forAddress("127.0.0.1", workerPort).usePlaintext().build();
    linkProxy = FaultProxy.start("127.0.0.1", workerPort);
    closeables.add(linkProxy);

    startOrchestrator();

    watcher = new Thread(this::watch, "fault-stack-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }

  // ---- processes

  /** Starts (or starts again, same port and workdir) the build worker and waits for its port. */
  void startWorker() {
    workerStarts++;
    List<String> args = new ArrayList<>(List.of("worker",
        "--port", Integer.toString(workerPort), "--workdir", workdir.toString(),
        "--git-cache-dir", dir.resolve("git-cache").toString(),
        "--registry", "none", "--registry-url", registryProxy.address(),
        "--git-base-url", "git://" + gitProxy.address() + "/", "--worker-id", ids.name("worker"),
        "--job-time-limit", "PT5M", "--grace", "PT60S", "--push-attempts", "8"));
    if (dockerHost != null) {
      args.addAll(List.of("--docker-host", dockerHost));
    }
    worker = ComponentProcess.blacktree(ids.name("worker") + (workerStarts > 1 ? "-" + workerStarts : ""), args);
    closeables.add(worker);
    worker.awaitPort(workerPort, Duration.ofSeconds(60));
  }

  /** Starts (or starts again) the orchestrator and waits until it sees the worker healthy. */
  void startOrchestrator() {
    orchestratorStarts++;
    orchestrator = ComponentProcess.blacktree(
        ids.name("orchestrator") + (orchestratorStarts > 1 ? "-" + orchestratorStarts : ""), List.of("orchestrator",
        "--temporal", temporalTarget, "--namespace", endpoints.temporalNamespace(),
        "--amqp", amqpUrl(), "--queue-prefix", queuePrefix(),
        "--workers", linkProxy.address(),
        "--deploy-task-queue", ids.name("deploy"), "--dispatch-task-queue", ids.name("dispatch"),
        "--job-time-limit", "PT5M", "--heartbeat-timeout", "PT" + HEARTBEAT_TIMEOUT.toSeconds() + "S",
        "--max-attempts", Integer.toString(MAX_ATTEMPTS),
        "--initial-backoff", "PT2S", "--max-backoff", "PT4S", "--health-check-interval", "PT1S"));
    closeables.add(orchestrator);
    orchestrator.awaitLog("build worker " + linkProxy.address() + " is healthy", Duration.ofSeconds(90));
  }

  // ---- jobs

  /** A repo with a tiny FROM-scratch app (its RUN prints a unique marker), and the request that builds it. */
  final class Job {
    final String repo;
    final String ecrRepo;
    final String version = "v1";
    final String marker;
    final String workflowId;
    final BuildRequest request;

    Job(String what, String extraRun, Map<String, Object> extraFiles, boolean createRepo) {
      this.repo = "acme/" + ids.next(what);
      this.ecrRepo = ids.next(what);
      this.marker = "fault-" + ids.next(what) + "-" + System.nanoTime();
      Map<String, Object> files = new LinkedHashMap<>();
      files.put("busybox", Path.of("/bin/busybox"));
      files.put("hello.txt", marker + "\n");
      files.putAll(extraFiles);
      files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello.txt /hello.txt\n"
          + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo " + marker + "; " + extraRun + "\"]\n"
          + "CMD [\"/bin/busybox\", \"cat\", \"/hello.txt\"]\n");
      if (createRepo) {
        repos.create(repo, "main", files);
      }
      this.request = BuildRequest.of(repo, "main", version, ACCOUNT, ecrRepo).withRegion(REGION)
          .withRequestId("req-" + ids.next(what));
      this.workflowId = Names.workflowId(request, REGION);
    }

    WorkflowStub start() {
      DeployJobWorkflow wf = client.newWorkflowStub(DeployJobWorkflow.class, WorkflowOptions.newBuilder()
          .setWorkflowId(workflowId)
          .setTaskQueue(ids.name("deploy"))
          .build());
      WorkflowClient.start(wf::run, DeployJobWorkflow.input(request));
      return WorkflowStub.fromTyped(wf);
    }

    String imageUrl() {
      return registryProxy.address() + "/" + ecrRepo + ":" + version;
    }
  }

  Job job(String what, String extraRun) {
    return new Job(what, extraRun, Map.of(), true);
  }

  Job job(String what, String extraRun, Map<String, Object> extraFiles) {
    return new Job(what, extraRun, extraFiles, true);
  }

  /** A job whose repository does not exist on the git server. */
  Job jobWithoutRepo(String what) {
    return new Job(what, "true", Map.of(), false);
  }

  // ---- end state

  /**
   * Waits for the job's result message, then checks the end state a user relies on: exactly one execution
   * for the workflow ID, closed with the status matching the message; exactly one result message; no
   * workspace left under the workdir; no container left that ran the job's build; the worker FREE.
   *
   * @return the result message
   */
  JsonNode awaitEndedOnce(Job job, Duration bound) throws Exception {
    return awaitEndedOnce(job, bound, Set.of());
  }

  /**
   * As {@link #awaitEndedOnce(Job, Duration)}, but the containers whose ID starts with one of {@code tolerated}
   * (known leftovers a test checks itself) do not count.
   */
  JsonNode awaitEndedOnce(Job job, Duration bound, Set<String> tolerated) throws Exception {
    awaitTrue("a result message for " + job.workflowId, bound,
        () -> !results.getOrDefault(job.workflowId, List.of()).isEmpty());
    JsonNode message = results.get(job.workflowId).get(0);
    String status = message.path("status").asText();
    WorkflowExecutionStatus expected = switch (status) {
      case "SUCCESS" -> WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
      case "FAILED" -> WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED;
      case "CANCELLED" -> WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED;
      default -> throw new AssertionError("unexpected result " + message);
    };
    WorkflowStub stub = client.newUntypedWorkflowStub(job.workflowId);
    awaitTrue(job.workflowId + " closed " + expected, Duration.ofSeconds(30),
        () -> stub.describe().getStatus() == expected);
    awaitTrue("one execution of " + job.workflowId + " in visibility", Duration.ofSeconds(30),
        () -> executions(job.workflowId) >= 1);
    assertThat(executions(job.workflowId)).as("executions of %s", job.workflowId).isEqualTo(1);
    awaitTrue("worker FREE", Duration.ofSeconds(60), this::workerFree);
    awaitTrue("no workspace under " + workdir, Duration.ofSeconds(30), () -> workspaces().isEmpty());
    awaitTrue("no container of " + job.marker, Duration.ofSeconds(30), 
        () -> containersOf(job).stream().allMatch(c -> tolerated.stream().anyMatch(t -> t.startsWith(c.split(" ")[0])
            || c.startsWith(t))));
    // a second message would come from a second run or a repeated publish: give it a moment to show up
    Thread.sleep(1000);
    assertThat(results.get(job.workflowId)).as("result messages of %s", job.workflowId).hasSize(1);
    return message;
  }

  long executions(String workflowId) {
    return client.listExecutions("WorkflowId = '" + workflowId + "'").count();
  }

  /** Workspaces ({@code job-*}) under the worker's workdir. */
  List<Path> workspaces() {
    try (Stream<Path> s = Files.list(workdir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("job-")).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Containers (any state) that ran the job's RUN step or carry its workflow label. */
  List<String> containersOf(Job job) {
    List<String> out = new ArrayList<>();
    engine("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}").lines()
        .filter(l -> l.contains(job.marker)).forEach(out::add);
    engine("ps", "-a", "-q", "--filter", "label=" + Names.LABEL_WORKFLOW_ID + "=" + job.workflowId).lines()
        .filter(l -> !l.isBlank()).forEach(out::add);
    return out;
  }

  /** {@code docker <args>} against the worker's engine (its {@code --docker-host}, or the shared one). */
  String engine(String... args) {
    if (dockerHost == null) {
      return docker(args);
    }
    List<String> all = new ArrayList<>(List.of("-H", dockerHost));
    all.addAll(List.of(args));
    return docker(all.toArray(String[]::new));
  }

  static String docker(String... args) {
    return Docker.cli(args);
  }

  // ---- the worker, seen directly

  WorkerStatus workerStatus() {
    return WorkerGrpc.newBlockingStub(workerChannel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .getStatus(GetStatusRequest.getDefaultInstance());
  }

  boolean workerFree() {
    try {
      return workerStatus().getState() == WorkerState.FREE;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** Waits until the worker runs a job of {@code job} in {@code step}. */
  void awaitStep(Job job, Step step, Duration bound) {
    awaitTrue(job.workflowId + " in " + step, bound, () -> {
      try {
        WorkerStatus s = workerStatus();
        return s.getState() == WorkerState.BUSY && s.getJobId().startsWith(job.workflowId + "/")
            && s.getStep() == step;
      } catch (StatusRuntimeException e) {
        return false;
      }
    });
  }

  /** How many worker jobs of {@code job} were seen building: one per build that ran. */
  long builds(Job job) {
    return stepsByJobId.entrySet().stream()
        .filter(e -> e.getKey().startsWith(job.workflowId + "/") && e.getValue().contains(Step.BUILDING))
        .count();
  }

  /** The worker job IDs of {@code job} and the steps seen for each, for failure messages. */
  Map<String, Set<Step>> stepsSeen(Job job) {
    Map<String, Set<Step>> out = new LinkedHashMap<>();
    stepsByJobId.forEach((k, v) -> {
      if (k.startsWith(job.workflowId + "/")) {
        out.put(k, v);
      }
    });
    return out;
  }

  private void watch() {
    while (watching) {
      try {
        WorkerStatus s = workerStatus();
        if (s.getState() == WorkerState.BUSY && !s.getJobId().isEmpty()) {
          stepsByJobId.computeIfAbsent(s.getJobId(), k -> Collections.synchronizedSet(EnumSet.noneOf(Step.class)))
              .add(s.getStep());
        }
      } catch (RuntimeException e) {
        // worker restarting or closing
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  // ---- RabbitMQ

  String queuePrefix() {
    return ids.prefix() + ".";
  }

  private String amqpUrl() {
    return "amqp://guest:guest@" + endpoints.amqpHost() + ":" + endpoints.amqpPort();
  }

  private void listenForResults() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(amqpUrl());
    amqp = factory.newConnection(ids.name("results"));
    Channel channel = amqp.createChannel();
    String queue = channel.queueDeclare("", false, true, true, null).getQueue();
    channel.queueBind(queue, queuePrefix() + Names.RESULTS_EXCHANGE, "#");
    channel.basicConsume(queue, true, (tag, delivery) -> {
      JsonNode body = JSON.readTree(delivery.getBody());
      results.computeIfAbsent(body.path("workflow_id").asText(""),
          k -> Collections.synchronizedList(new ArrayList<>())).add(body);
    }, tag -> { });
  }

  // ---- polling

  void awaitTrue(String what, Duration bound, BooleanSupplier condition) {
    Instant end = Instant.now().plus(bound);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("no " + what + " within " + bound + logs());
      }
      if (worker != null && !worker.isAlive() || orchestrator != null && !orchestrator.isAlive()) {
        throw new AssertionError("a component exited while waiting for " + what + logs());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  String logs() {
    StringBuilder sb = new StringBuilder();
    for (ComponentProcess p : new ComponentProcess[] {orchestrator, worker}) {
      if (p == null) {
        continue;
      }
      String out = p.output();
      sb.append("\n--- ").append(p).append(p.isAlive() ? "" : " (exited)").append('\n')
          .append(out.length() > 3000 ? out.substring(out.length() - 3000) : out);
    }
    return sb.toString();
  }

  @Override
  public void close() {
    watching = false;
    if (watcher != null) {
      watcher.interrupt();
    }
    if (workerChannel != null) {
      workerChannel.shutdownNow();
    }
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    if (service != null) {
      service.shutdown();
    }
    if (workdirIsTmpfs) {
      try {
        Process p = new ProcessBuilder("umount", workdir.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          new ProcessBuilder("umount", "-l", workdir.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
      } catch (IOException e) {
        // left mounted: the temp dir cleanup reports it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      if (amqp != null && amqp.isOpen()) {
        try (Channel ch = amqp.createChannel()) {
          ch.queueDelete(queuePrefix() + Names.BUILD_QUEUE);
          ch.queueDelete(queuePrefix() + Names.DEAD_LETTER_QUEUE);
          ch.exchangeDelete(queuePrefix() + Names.RESULTS_EXCHANGE);
        }
        amqp.close();
      }
    } catch (Exception e) {
      // the broker drops the exclusive queue with the connection
    }
    try {
      if (privateService != null) {
        privateService.close();
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("closing the test's private service failed", e);
    }
  }
}
