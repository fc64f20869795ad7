package io.blacktree.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.DeployResult;
import io.blacktree.core.Names;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.e2e.support.Docker;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.blacktree.workflows.DeployJobWorkflow;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code DeployJob} workflow end to end: two build workers ({@code blacktree worker}) and one orchestrator
 * ({@code blacktree orchestrator}) as real child JVMs, the shared Temporal dev server, the real Docker engine,
 * the open registry on 127.0.0.1:5000, RabbitMQ, repos served by {@code git daemon}. Jobs are started through
 * the Temporal API the way the bridge starts them; what the tests read back is what a user sees: the execution
 * (status, memo, search attributes, history), the result message on the results exchange, the workers'
 * {@code GetStatus}, the engine's containers.
 *
 * <p>Isolation: task queues, queue prefix (so the results exchange is {@code <prefix>.jobs.results}),
 * ECR repository names (hence workflow IDs) and worker IDs unique to this class.
 */
class DeployJobE2EIT {
  private static final String ACCOUNT = "123456789012";
  private static final String REGION = "us-east-1";
  private static final Duration JOB_BOUND = Duration.ofSeconds(150);
  private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern UPTIME = Pattern.compile("JOB (\\S+) (start|end) ([0-9]+\\.[0-9]+)");

  @TempDir static Path dir;

  static TestIds ids;
  static ServiceEndpoints endpoints;
  static GitRepos repos;
  static GitDaemonServer git;
  static Cli cli;
  static Connection amqp;
  static WorkflowServiceStubs service;
  static WorkflowClient client;
  static final Map<String, List<JsonNode>> results = new ConcurrentHashMap<>();
  static final List<BuildWorker> workers = new ArrayList<>();
  static ComponentProcess orchestrator;
  static final AtomicInteger orchestratorStarts = new AtomicInteger();

  /** One build worker: its process (restartable on the same port) and a channel for GetStatus. */
  static final class BuildWorker {
    final String id;
    final int port;
    final ManagedChannel channel;
    ComponentProcess process;
    int starts;

    BuildWorker(String id, int port) {
      this.id = id;
      this.port = port;
      this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    String address() {
      return "127.0.0.1:" + port;
    }

    void start() {
      starts++;
      process = ComponentProcess.blacktree(id + "-" + starts, List.of("worker",
          "--port", Integer.toString(port), "--workdir", dir.resolve(id).toString(),
          "--registry", "none", "--registry-url", endpoints.registryOpen(),
          "--git-base-url", git.baseUrl(), "--worker-id", id,
          "--job-time-limit", "PT5M", "--grace", "PT60S"));
      process.awaitPort(port, Duration.ofSeconds(60));
    }

    WorkerStatus status() {
      return WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .getStatus(GetStatusRequest.getDefaultInstance());
    }

    boolean isFree() {
      try {
        return status().getState() == WorkerState.FREE;
      } catch (StatusRuntimeException e) {
        return false;
      }
    }

    boolean isRunning(String workflowId) {
      try {
        WorkerStatus s = status();
        return s.getState() == WorkerState.BUSY && s.getJobId().startsWith(workflowId + "/");
      } catch (StatusRuntimeException e) {
        return false;
      }
    }
  }

  @BeforeAll
  static void startAll() throws Exception {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN, Service.RABBITMQ, Service.TEMPORAL);
    ids = TestIds.forClass(DeployJobE2EIT.class);
    endpoints = ServiceEndpoints.fromEnvironment();
    repos = new GitRepos(dir.resolve("git"));
    git = GitDaemonServer.start(repos.baseDir());
    cli = new Cli(Map.of(
        "BLACKTREE_TEMPORAL", endpoints.temporalTarget(),
        "BLACKTREE_NAMESPACE", endpoints.temporalNamespace(),
        "BLACKTREE_AMQP", amqpUrl(),
        "BLACKTREE_QUEUE_PREFIX", queuePrefix()));
    Cli.Result setup = cli.run("setup");
    assertThat(setup.exitCode()).as(setup.toString()).isZero();
    listenForResults();

    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(endpoints.temporalTarget()).build());
    client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(endpoints.temporalNamespace()).build());

    for (int i = 1; i <= 2; i++) {
      workers.add(new BuildWorker(ids.name("worker" + i), ComponentProcess.freePort()));
    }
    workers.forEach(BuildWorker::start);
    startOrchestrator();
  }

  @AfterAll
  static void stopAll() {
    closeQuietly(orchestrator);
    for (BuildWorker w : workers) {
      closeQuietly(w.process);
      w.channel.shutdownNow();
    }
    closeQuietly(git);
    if (service != null) {
      service.shutdown();
    }
    try {
      if (amqp != null && amqp.isOpen()) {
        try (Channel ch = amqp.createChannel()) {
          ch.queueDelete(queuePrefix() + Names.BUILD_QUEUE);
          ch.queueDelete(queuePrefix() + Names.DEAD_LETTER_QUEUE);
          ch.exchangeDelete(resultsExchange());
        }
        amqp.close();
      }
    } catch (Exception e) {
      // the broker drops the exclusive queue with the connection
    }
  }

  @BeforeEach
  void workersFreeAndOrchestratorUp() {
    awaitTrue("both workers FREE", Duration.ofSeconds(60), () -> workers.stream().allMatch(BuildWorker::isFree));
    assertThat(orchestrator.isAlive()).as("orchestrator alive; log:\n%s", orchestrator.output()).isTrue();
  }

  @Test
  void deployJob_success_logsMemoAndSearchAttributesInTemporalAndResultPublished() throws Exception {
    String marker = "hello-build-" + System.nanoTime();
    Job job = newJob("ok", "v1.0.0", run("sh", "-c", "echo " + marker));

    WorkflowStub stub = job.start();
    DeployResult result = stub.getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class);

    assertThat(result.status()).isEqualTo(DeployResult.SUCCESS);
    assertThat(result.imageUrl()).isEqualTo(endpoints.registryOpen() + "/" + job.ecrRepo + ":v1.0.0");
    assertThat(result.commitSha()).isEqualTo(job.commit);
    assertThat(result.attempts()).isEqualTo(1);
    assertThat(workers.stream().map(BuildWorker::address)).contains(result.worker());
    assertThat(Docker.runImage(result.imageUrl())).isEqualTo("ok");

    WorkflowExecutionDescription d = stub.describe();
    assertThat(d.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    assertThat(d.getMemo("branch", String.class)).isEqualTo("main");
    assertThat(d.getMemo("request_id", String.class)).isEqualTo(job.requestId);
    assertThat(d.getMemo("worker", String.class)).isEqualTo(result.worker());
    assertThat(d.getMemo("image_url", String.class)).isEqualTo(result.imageUrl());
    assertThat(d.getMemo("commit_sha", String.class)).isEqualTo(job.commit);
    var sa = d.getTypedSearchAttributes();
    assertThat(sa.get(SearchAttributeKey.forKeyword(Names.SA_REPO))).isEqualTo(job.repo);
    assertThat(sa.get(SearchAttributeKey.forKeyword(Names.SA_VERSION))).isEqualTo("v1.0.0");
    assertThat(sa.get(SearchAttributeKey.forKeyword(Names.SA_ACCOUNT))).isEqualTo(ACCOUNT);
    assertThat(sa.get(SearchAttributeKey.forKeyword(Names.SA_ECR_REPO))).isEqualTo(job.ecrRepo);
    assertThat(sa.get(SearchAttributeKey.forKeyword(Names.SA_STEP))).isEqualTo("done");

    List<HistoryEvent> history = history(job.workflowId);
    List<HistoryEvent> completed = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED).stream()
        .filter(e -> payloadText(e.getActivityTaskCompletedEventAttributes().getResult()).contains("\"imageUrl\""))
        .toList();
    assertThat(completed).hasSize(1);
    String dispatchResult = payloadText(completed.get(0).getActivityTaskCompletedEventAttributes().getResult());
    assertThat(dispatchResult).contains(marker);
    assertThat(result.logs()).contains(marker);

    JsonNode message = awaitResult(job.workflowId);
    assertThat(message.path("status").asText()).isEqualTo("SUCCESS");
    assertThat(message.path("image_url").asText()).isEqualTo(result.imageUrl());
    assertThat(message.path("request_id").asText()).isEqualTo(job.requestId);
    assertThat(message.path("logs").asText()).contains(marker);
  }

  @Test
  void deployJob_brokenDockerfile_buildFailedOnceNotRetriedExecutionFailed() throws Exception {
    Job job = newJob("broken", "v1", run("sh", "-c", "echo compiling; exit 3"));

    WorkflowStub stub = job.start();

    assertThatThrownBy(() -> stub.getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          assertThat(e.getCause()).isInstanceOf(ApplicationFailure.class);
          assertThat(((ApplicationFailure) e.getCause()).getType()).isEqualTo("BUILD_FAILED");
        });
    assertThat(stub.describe().getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
    List<HistoryEvent> history = history(job.workflowId);
    assertThat(dispatchScheduled(history)).as("one dispatch attempt").hasSize(1);
    HistoryEvent failed = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED).get(0);
    assertThat(failed.getActivityTaskFailedEventAttributes().getFailure().getApplicationFailureInfo().getType())
        .isEqualTo("BUILD_FAILED");

    JsonNode message = awaitResult(job.workflowId);
    assertThat(message.path("status").asText()).isEqualTo("FAILED");
    assertThat(message.path("error_kind").asText()).isEqualTo("BUILD_FAILED");
    assertThat(message.path("attempts").asInt()).isEqualTo(1);
    assertThat(message.path("logs").asText()).contains("compiling");
  }

  @Test
  void deployJob_workerKilledMidBuild_finishesOnTheOtherWorker() throws Exception {
    String marker = "slow-kill-" + System.nanoTime();
    Job job = newJob("killed", "v1", run("sh", "-c", "echo " + marker + "; sleep 20"));
    WorkflowStub stub = job.start();
    Docker.awaitContainer(marker, Duration.ofSeconds(90));
    BuildWorker victim = awaitRunningWorker(job.workflowId);

    kill(victim.process);

    DeployResult result = stub.getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class);
    assertThat(result.status()).isEqualTo(DeployResult.SUCCESS);
    assertThat(result.worker()).isNotEqualTo(victim.address());
    assertThat(result.attempts()).isEqualTo(2);
    List<HistoryEvent> history = history(job.workflowId);
    HistoryEvent lost = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED).get(0);
    assertThat(lost.getActivityTaskFailedEventAttributes().getFailure().getApplicationFailureInfo().getType())
        .isEqualTo("WORKER_LOST");
    JsonNode message = awaitResult(job.workflowId);
    assertThat(message.path("status").asText()).isEqualTo("SUCCESS");
    assertThat(message.path("worker").asText()).isEqualTo(result.worker());

    long healthyBefore = healthyLines(victim);
    victim.start();
    awaitTrue("restarted worker FREE", Duration.ofSeconds(60), victim::isFree);
    awaitTrue("the orchestrator sees " + victim.address() + " healthy again", Duration.ofSeconds(150),
        () -> healthyLines(victim) > healthyBefore);
  }

  @Test
  void deployJob_cancelledMidBuild_cancelledWorkerFreeNoContainerLeft() throws Exception {
    String marker = "slow-cancel-" + System.nanoTime();
    Job job = newJob("cancel", "v1", run("sh", "-c", "echo " + marker + "; sleep 20"));
    WorkflowStub stub = job.start();
    Docker.awaitContainer(marker, Duration.ofSeconds(90));
    BuildWorker running = awaitRunningWorker(job.workflowId);

    stub.cancel();

    JsonNode message = awaitResult(job.workflowId);
    assertThat(message.path("status").asText()).isEqualTo("CANCELLED");
    awaitTrue("execution CANCELED", Duration.ofSeconds(60), () -> stub.describe().getStatus()
        == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    awaitTrue(running.id + " FREE", Duration.ofSeconds(60), running::isFree);
    Docker.awaitNoContainer(marker, Duration.ofSeconds(60));
    assertThat(dispatchScheduled(history(job.workflowId))).hasSize(1);
  }

  @Test
  void deployJob_sixJobsOnTwoWorkers_allSucceedNeverTwoAtOnceOnOneWorker() throws Exception {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String tag = "six" + i + "-" + System.nanoTime();
      jobs.add(newJob("six", "v" + i, run("sh", "-c",
          "echo JOB " + tag + " start $(cat /proc/uptime); sleep 3; echo JOB " + tag + " end $(cat /proc/uptime)")));
    }
    List<WorkflowStub> stubs = new ArrayList<>();
    for (Job job : jobs) {
      stubs.add(job.start());
    }

    // the build interval each job's worker logged (uptime of the shared kernel, read inside the RUN step)
    Map<String, List<double[]>> buildsByWorker = new HashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      DeployResult r = stubs.get(i).getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class);
      assertThat(r.status()).isEqualTo(DeployResult.SUCCESS);
      assertThat(r.attempts()).as("no attempt burnt waiting for a worker").isEqualTo(1);
      buildsByWorker.computeIfAbsent(r.worker(), k -> new ArrayList<>()).add(buildInterval(r.logs()));
      JsonNode message = awaitResult(jobs.get(i).workflowId);
      assertThat(message.path("status").asText()).isEqualTo("SUCCESS");
    }

    assertThat(buildsByWorker.keySet()).as("both workers used")
        .containsExactlyInAnyOrderElementsOf(workers.stream().map(BuildWorker::address).toList());
    buildsByWorker.forEach((worker, spans) -> assertNoOverlap("builds logged by " + worker, spans));
    List<double[]> all = new ArrayList<>();
    buildsByWorker.values().forEach(all::addAll);
    assertThat(overlapsAny(all)).as("two jobs ran at once on different workers: %s", describe(buildsByWorker))
        .isTrue();
  }

  @Test
  void deployJob_orchestratorKilledAndRestartedMidJob_jobCompletes() throws Exception {
    String marker = "slow-orch-" + System.nanoTime();
    Job job = newJob("orch", "v1", run("sh", "-c", "echo " + marker + "; sleep 20"));
    WorkflowStub stub = job.start();
    Docker.awaitContainer(marker, Duration.ofSeconds(90));
    BuildWorker running = awaitRunningWorker(job.workflowId);

    kill(orchestrator);
    startOrchestrator();

    DeployResult result = stub.getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class);
    assertThat(result.status()).isEqualTo(DeployResult.SUCCESS);
    assertThat(result.worker()).isEqualTo(running.address());
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(result.logs()).contains(marker);
    List<HistoryEvent> history = history(job.workflowId);
    HistoryEvent lost = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).get(0);
    assertThat(lost.getActivityTaskTimedOutEventAttributes().getFailure().getTimeoutFailureInfo().getTimeoutType())
        .isEqualTo(TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    // re-attached, not rebuilt: the one build spans the outage, longer than the second dispatch lasted
    double[] second = dispatchInterval(history, dispatchScheduled(history).get(1));
    assertThat(result.stepMillis().get("building") / 1000.0).isGreaterThan(second[1] - second[0]);
    assertThat(Docker.runImage(result.imageUrl())).isEqualTo("orch");
    JsonNode message = awaitResult(job.workflowId);
    assertThat(message.path("status").asText()).isEqualTo("SUCCESS");
  }

  // ---- jobs

  /** A repo with a tiny app, and the request that builds it. */
  final class Job {
    final String repo;
    final String ecrRepo;
    final String version;
    final String commit;
    final String requestId;
    final String workflowId;
    final BuildRequest request;

    Job(String text, String version, String extra) {
      this.repo = "acme/" + ids.next(text);
      this.ecrRepo = ids.next(text);
      this.version = version;
      this.commit = repos.create(repo, "main", app(text, extra));
      this.requestId = "req-" + ids.next(text);
      this.request = BuildRequest.of(repo, "main", version, ACCOUNT, ecrRepo).withRegion(REGION)
          .withRequestId(requestId);
      this.workflowId = Names.workflowId(request, REGION);
    }

    WorkflowStub start() {
      DeployJobWorkflow wf = client.newWorkflowStub(DeployJobWorkflow.class, WorkflowOptions.newBuilder()
          .setWorkflowId(workflowId)
          .setTaskQueue(deployTaskQueue())
          .build());
      WorkflowClient.start(wf::run, DeployJobWorkflow.input(request));
      return WorkflowStub.fromTyped(wf);
    }
  }

  Job newJob(String text, String version, String extra) {
    return new Job(text, version, extra);
  }

  /** Files of a tiny FROM-scratch app whose image prints {@code text}; {@code extra} goes before CMD. */
  static Map<String, Object> app(String text, String extra) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("hello.txt", text + "\n");
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello.txt /hello.txt\n" + extra
        + "CMD [\"/bin/busybox\", \"cat\", \"/hello.txt\"]\n");
    return files;
  }

  /** {@code RUN ["/bin/busybox", args...]}. */
  static String run(String... args) {
    StringBuilder sb = new StringBuilder("RUN [\"/bin/busybox\"");
    for (String a : args) {
      sb.append(", \"").append(a).append('"');
    }
    return sb.append("]\n").toString();
  }

  // ---- processes

  static void startOrchestrator() {
    int n = orchestratorStarts.incrementAndGet();
    orchestrator = ComponentProcess.blacktree(ids.name("orchestrator") + "-" + n, List.of("orchestrator",
        "--temporal", endpoints.temporalTarget(), "--namespace", endpoints.temporalNamespace(),
        "--amqp", amqpUrl(), "--queue-prefix", queuePrefix(),
        "--workers", String.join(",", workers.stream().map(BuildWorker::address).toList()),
        "--deploy-task-queue", deployTaskQueue(), "--dispatch-task-queue", ids.name("dispatch"),
        "--job-time-limit", "PT5M", "--heartbeat-timeout", "PT" + HEARTBEAT_TIMEOUT.toSeconds() + "S",
        "--initial-backoff", "PT1S", "--max-backoff", "PT2S", "--health-check-interval", "PT1S"));
  }

  /** SIGKILL to the child JVM ({@code kill -9}), found among this JVM's children by its pid. */
  static void kill(ComponentProcess component) {
    ProcessHandle handle = ProcessHandle.current().children()
        .filter(h -> h.pid() == pidOf(component))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no child process for " + component));
    handle.destroyForcibly();
    awaitTrue(component + " dead", Duration.ofSeconds(30), () -> !handle.isAlive());
  }

  private static long pidOf(ComponentProcess component) {
    Matcher m = Pattern.compile("\\(pid ([0-9]+)\\)").matcher(component.toString());
    if (!m.find()) {
      throw new AssertionError("no pid in " + component);
    }
    return Long.parseLong(m.group(1));
  }

  /** How often the orchestrator logged {@code worker} healthy (its pool logs each change). */
  static long healthyLines(BuildWorker worker) {
    String line = "build worker " + worker.address() + " is healthy";
    return orchestrator.output().lines().filter(l -> l.contains(line)).count();
  }

  static BuildWorker awaitRunningWorker(String workflowId) {
    BuildWorker[] found = new BuildWorker[1];
    awaitTrue("a worker BUSY with " + workflowId, Duration.ofSeconds(60), () -> {
      for (BuildWorker w : workers) {
        if (w.isRunning(workflowId)) {
          found[0] = w;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // keep closing the rest
    }
  }

  // ---- Temporal

  static List<HistoryEvent> history(String workflowId) {
    return client.fetchHistory(workflowId).getEvents();
  }

  static List<HistoryEvent> events(List<HistoryEvent> history, EventType type) {
    return history.stream().filter(e -> e.getEventType() == type).toList();
  }

  static List<HistoryEvent> dispatchScheduled(List<HistoryEvent> history) {
    return events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).stream()
        .filter(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("Dispatch"))
        .toList();
  }

  static String payloadText(io.temporal.api.common.v1.Payloads payloads) {
    StringBuilder sb = new StringBuilder();
    payloads.getPayloadsList().forEach(p -> sb.append(p.getData().toString(StandardCharsets.UTF_8)));
    return sb.toString();
  }

  /**
   * Seconds (event time) from the dispatch activity's start to its completion. Not a bound of the worker's job
   * for non-overlap checks: the activity hands its worker back just before its completion is recorded.
   */
  static double[] dispatchInterval(List<HistoryEvent> history, HistoryEvent scheduled) {
    long scheduledId = scheduled.getEventId();
    HistoryEvent started = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED).stream()
        .filter(e -> e.getActivityTaskStartedEventAttributes().getScheduledEventId() == scheduledId)
        .findFirst().orElseThrow();
    HistoryEvent completed = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED).stream()
        .filter(e -> e.getActivityTaskCompletedEventAttributes().getScheduledEventId() == scheduledId)
        .findFirst().orElseThrow();
    return new double[] {seconds(started), seconds(completed)};
  }

  private static double seconds(HistoryEvent e) {
    return e.getEventTime().getSeconds() + e.getEventTime().getNanos() / 1e9;
  }

  // ---- intervals

  /** The start and end uptime the job's RUN step printed into the worker's job log. */
  static double[] buildInterval(String logs) {
    Map<String, Double> marks = new HashMap<>();
    Matcher m = UPTIME.matcher(logs);
    while (m.find()) {
      marks.put(m.group(2), Double.parseDouble(m.group(3)));
    }
    assertThat(marks).as("start and end lines in the job log:\n%s", logs).containsKeys("start", "end");
    return new double[] {marks.get("start"), marks.get("end")};
  }

  static void assertNoOverlap(String what, List<double[]> spans) {
    List<double[]> sorted = new ArrayList<>(spans);
    sorted.sort((a, b) -> Double.compare(a[0], b[0]));
    for (int i = 1; i < sorted.size(); i++) {
      assertThat(sorted.get(i)[0]).as("%s overlap: %s", what, describe(Map.of(what, sorted)))
          .isGreaterThanOrEqualTo(sorted.get(i - 1)[1]);
    }
  }

  static boolean overlapsAny(List<double[]> spans) {
    for (int i = 0; i < spans.size(); i++) {
      for (int j = i + 1; j < spans.size(); j++) {
        if (spans.get(i)[0] < spans.get(j)[1] && spans.get(j)[0] < spans.get(i)[1]) {
          return true;
        }
      }
    }
    return false;
  }

  static String describe(Map<String, List<double[]>> spans) {
    StringBuilder sb = new StringBuilder();
    spans.forEach((k, v) -> {
      sb.append(k).append(':');
      v.forEach(s -> sb.append(" [").append(s[0]).append(", ").append(s[1]).append(']'));
      sb.append('\n');
    });
    return sb.toString();
  }

  // ---- RabbitMQ

  static String queuePrefix() {
    return ids.prefix() + ".";
  }

  static String resultsExchange() {
    return queuePrefix() + Names.RESULTS_EXCHANGE;
  }

  static String deployTaskQueue() {
    return ids.name("deploy");
  }

  static String amqpUrl() {
    return "amqp://guest:guest@" + endpoints.amqpHost() + ":" + endpoints.amqpPort();
  }

  private static void listenForResults() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(amqpUrl());
    amqp = factory.newConnection(ids.name("results"));
    Channel channel = amqp.createChannel();
    String queue = channel.queueDeclare("", false, true, true, null).getQueue();
    channel.queueBind(queue, resultsExchange(), "#");
    channel.basicConsume(queue, true, (tag, delivery) -> {
      JsonNode body = JSON.readTree(delivery.getBody());
      results.computeIfAbsent(body.path("workflow_id").asText(""),
          k -> Collections.synchronizedList(new ArrayList<>())).add(body);
    }, tag -> { });
  }

  /** The first result message for {@code workflowId} on this class's results exchange. */
  static JsonNode awaitResult(String workflowId) {
    awaitTrue("a result message for " + workflowId + " on " + resultsExchange(), Duration.ofSeconds(60),
        () -> !results.getOrDefault(workflowId, List.of()).isEmpty());
    List<JsonNode> got = results.get(workflowId);
    assertThat(got).as("one result message per run").hasSize(1);
    return got.get(0);
  }

  // ---- polling

  static void awaitTrue(String what, Duration bound, BooleanSupplier condition) {
    Instant end = Instant.now().plus(bound);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("no " + what + " within " + bound + logs());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static String logs() {
    StringBuilder sb = new StringBuilder();
    List<ComponentProcess> all = new ArrayList<>();
    if (orchestrator != null) {
      all.add(orchestrator);
    }
    workers.forEach(w -> all.add(w.process));
    for (ComponentProcess p : all) {
      if (p == null) {
        continue;
      }
      String out = p.output();
      sb.append("\n--- ").append(p).append(p.isAlive() ? "" : " (exited)").append('\n')
          .append(out.length() > 3000 ? out.substring(out.length() - 3000) : out);
    }
    return sb.toString();
  }
}
