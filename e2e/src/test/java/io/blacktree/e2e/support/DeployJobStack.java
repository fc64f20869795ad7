package io.blacktree.e2e.support;

import io.blacktree.testsupport.TestRequests;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.Names;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.blacktree.workflow.api.DeployJobStart;
import io.blacktree.workflow.api.DeployJobWorkflow;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code DeployJob} workflow's deployment for one test class: two build workers ({@code blacktree worker})
 * and one orchestrator ({@code blacktree orchestrator}) as real child JVMs, the shared Temporal dev server, the
 * real Docker engine, the open registry on 127.0.0.1:5000, RabbitMQ, repos served by {@code git daemon}. Jobs
 * start through the Temporal API the way the bridge starts them ({@link Job#start()}); the result messages of
 * the results exchange are collected ({@link #awaitResult}).
 *
 * <p>Isolation: task queues, queue prefix (so the results exchange is {@code <prefix>.jobs.results}), ECR
 * repository names (hence workflow IDs) and worker IDs unique to the test class.
 */
public final class DeployJobStack implements AutoCloseable {
  public static final String ACCOUNT = "123456789012";
  public static final String REGION = "us-east-1";
  public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestIds ids;
  private final ServiceEndpoints endpoints;
  private final Path dir;
  private final GitRepos repos;
  private final Map<String, List<JsonNode>> results = new ConcurrentHashMap<>();
  private final List<BuildWorker> workers = new ArrayList<>();
  private GitDaemonServer git;
  private Connection amqp;
  private WorkflowServiceStubs service;
  private WorkflowClient client;
  private ComponentProcess orchestrator;
  private int orchestratorStarts;

  private DeployJobStack(Class<?> testClass, Path dir) {
    this.ids = TestIds.forClass(testClass);
    this.endpoints = ServiceEndpoints.fromEnvironment();
    this.dir = dir;
    this.repos = new GitRepos(dir.resolve("git"));
  }

  /** Starts everything under {@code dir}; fails (CI) or skips when a shared service is down. */
  public static DeployJobStack start(Class<?> testClass, Path dir) throws Exception {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN, Service.RABBITMQ, Service.TEMPORAL);
    DeployJobStack stack = new DeployJobStack(testClass, dir);
    try {
      stack.startAll();
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  private void startAll() throws Exception {
    git = GitDaemonServer.start(repos.baseDir());
    Cli cli = new Cli(Map.of(
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
      String id = ids.name("worker" + i);
      workers.add(new BuildWorker(id, ComponentProcess.freePort(), dir.resolve(id), endpoints.registryOpen(),
          git.baseUrl()));
    }
    workers.forEach(BuildWorker::start);
    startOrchestrator();
  }

  public List<BuildWorker> workers() {
    return workers;
  }

  public ComponentProcess orchestrator() {
    return orchestrator;
  }

  public String registry() {
    return endpoints.registryOpen();
  }

  /** Waits until both workers are FREE; fails when the orchestrator has exited. */
  public void awaitWorkersFreeAndOrchestratorUp() {
    awaitTrue("both workers FREE", Duration.ofSeconds(60), () -> workers.stream().allMatch(BuildWorker::isFree));
    assertThat(orchestrator.isAlive()).as("orchestrator alive; log:\n%s", orchestrator.output()).isTrue();
  }

  // ---- jobs

  /** A repo with a tiny app, and the request that builds it. */
  public final class Job {
    public final String repo;
    public final String ecrRepo;
    public final String version;
    public final String commit;
    public final String requestId;
    public final String workflowId;
    final BuildRequest request;

    Job(String text, String version, String extra) {
      this.repo = "acme/" + ids.next(text);
      this.ecrRepo = ids.next(text);
      this.version = version;
      this.commit = repos.create(repo, "main", BlacktreeStack.app(text, extra));
      this.requestId = "req-" + ids.next(text);
      this.request = TestRequests.of(repo, "main", version, ACCOUNT, ecrRepo, REGION, requestId);
      this.workflowId = Names.workflowId(request, REGION);
    }

    private Job(Job previous, String version, Map<String, String> buildArgs) {
      this.repo = previous.repo;
      this.ecrRepo = previous.ecrRepo;
      this.version = version;
      this.commit = previous.commit;
      this.requestId = "req-" + ids.next(version);
      BuildRequest r = previous.request;
      this.request = new BuildRequest(r.repoUrl(), r.branch(), version, r.awsAccount(), r.ecrRepo(), r.region(),
          requestId, r.commit(), r.dockerfile(), r.context(), r.target(), buildArgs, r.tags());
      this.workflowId = Names.workflowId(request, REGION);
    }

    /** The next version of this job's repository (same commit), built with {@code buildArgs}. */
    public Job next(String nextVersion, Map<String, String> buildArgs) {
      return new Job(this, nextVersion, buildArgs);
    }

    /** Starts the workflow as the bridge does. */
    public WorkflowStub start() {
      DeployJobWorkflow wf = client.newWorkflowStub(DeployJobWorkflow.class,
          DeployJobStart.options(request, deployTaskQueue()));
      WorkflowClient.start(wf::run, new DeployJobWorkflow.DeployJobInput(request, java.util.List.of()));
      return WorkflowStub.fromTyped(wf);
    }
  }

  /** A job whose image prints {@code text}; {@code extra} (Dockerfile lines) goes before CMD. */
  public Job newJob(String text, String version, String extra) {
    return new Job(text, version, extra);
  }

  // ---- processes

  /** Starts (again) the orchestrator on both workers. */
  public void startOrchestrator() {
    int n = ++orchestratorStarts;
    orchestrator = ComponentProcess.blacktree(ids.name("orchestrator") + "-" + n, List.of("orchestrator",
        "--temporal", endpoints.temporalTarget(), "--namespace", endpoints.temporalNamespace(),
        "--amqp", amqpUrl(), "--queue-prefix", queuePrefix(),
        "--workers", String.join(",", workers.stream().map(BuildWorker::address).toList()),
        "--deploy-task-queue", deployTaskQueue(), "--dispatch-task-queue", ids.name("dispatch"),
        "--job-time-limit", "PT5M", "--heartbeat-timeout", "PT" + HEARTBEAT_TIMEOUT.toSeconds() + "S",
        "--initial-backoff", "PT1S", "--max-backoff", "PT2S", "--health-check-interval", "PT1S"));
  }

  /** SIGKILL to the child JVM ({@code kill -9}), found among this JVM's children by its pid. */
  /**
   * Starts a build host's orchestrator: it owns only {@code worker}, as build host {@code hostId} with cache-affinity
   * wait {@code affinityWait}. The caller closes it.
   */
  public ComponentProcess startBuildHostOrchestrator(BuildWorker worker, String hostId, Duration affinityWait) {
    return ComponentProcess.blacktree(ids.name("orchestrator-" + hostId), List.of("orchestrator",
        "--temporal", endpoints.temporalTarget(), "--namespace", endpoints.temporalNamespace(),
        "--amqp", amqpUrl(), "--queue-prefix", queuePrefix(), "--workers", worker.address(),
        "--host-id", hostId, "--affinity-wait", affinityWait.toString(),
        "--deploy-task-queue", deployTaskQueue(), "--dispatch-task-queue", ids.name("dispatch"),
        "--job-time-limit", "PT5M", "--heartbeat-timeout", "PT" + HEARTBEAT_TIMEOUT.toSeconds() + "S",
        "--initial-backoff", "PT1S", "--max-backoff", "PT2S", "--health-check-interval", "PT1S"));
  }

  public void kill(ComponentProcess component) {
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
  public long healthyLines(BuildWorker worker) {
    String line = "build worker " + worker.address() + " is healthy";
    return orchestrator.output().lines().filter(l -> l.contains(line)).count();
  }

  public BuildWorker awaitRunningWorker(String workflowId) {
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

  // ---- Temporal

  public List<HistoryEvent> history(String workflowId) {
    return client.fetchHistory(workflowId).getEvents();
  }

  public static List<HistoryEvent> events(List<HistoryEvent> history, EventType type) {
    return history.stream().filter(e -> e.getEventType() == type).toList();
  }

  public static List<HistoryEvent> dispatchScheduled(List<HistoryEvent> history) {
    return events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).stream()
        .filter(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("Dispatch"))
        .toList();
  }

  // ---- RabbitMQ

  String queuePrefix() {
    return ids.prefix() + ".";
  }

  String resultsExchange() {
    return queuePrefix() + Names.RESULTS_EXCHANGE;
  }

  String deployTaskQueue() {
    return ids.name("deploy");
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
    channel.queueBind(queue, resultsExchange(), "#");
    channel.basicConsume(queue, true, (tag, delivery) -> {
      JsonNode body = JSON.readTree(delivery.getBody());
      results.computeIfAbsent(body.path("workflow_id").asText(""),
          k -> Collections.synchronizedList(new ArrayList<>())).add(body);
    }, tag -> { });
  }

  /** The first result message for {@code workflowId} on the results exchange; fails if there are two. */
  public JsonNode awaitResult(String workflowId) {
    awaitTrue("a result message for " + workflowId + " on " + resultsExchange(), Duration.ofSeconds(60),
        () -> !results.getOrDefault(workflowId, List.of()).isEmpty());
    List<JsonNode> got = results.get(workflowId);
    assertThat(got).as("one result message per run").hasSize(1);
    return got.get(0);
  }

  // ---- polling

  /** Polls {@code condition} every 200 ms; fails with the components' log tails after {@code bound}. */
  public void awaitTrue(String what, Duration bound, BooleanSupplier condition) {
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

  private String logs() {
    List<ComponentProcess> all = new ArrayList<>();
    all.add(orchestrator);
    workers.forEach(w -> all.add(w.process()));
    return ComponentProcess.tails(all, 3000);
  }

  @Override
  public void close() {
    closeQuietly(orchestrator);
    workers.forEach(BuildWorker::close);
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
}
