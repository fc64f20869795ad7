package io.blacktree.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A whole Blacktree deployment for one test class, each component a real process started through the CLI:
 * one build worker ({@code blacktree worker}, ephemeral port, registry 127.0.0.1:5000 without login, repos
 * from a {@code git daemon}), one orchestrator and one bridge, against the shared Temporal dev server and
 * RabbitMQ. Isolation: a queue prefix ({@code <prefix>.jobs.build}, {@code <prefix>.jobs.results}), task
 * queues and ECR repository names (hence workflow IDs) unique to this stack.
 *
 * <p>The test sees the stack as a user does: it publishes requests on the build queue, reads result
 * messages from the results exchange, and runs {@code blacktree} commands ({@link #cli()}).
 */
public final class BlacktreeStack implements AutoCloseable {
  public static final String ACCOUNT = "123456789012";
  public static final String REGION = "us-east-1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestIds ids;
  private final Function<String, List<String>> extraArgs;
  private final ServiceEndpoints endpoints;
  private final GitRepos repos;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Map<String, List<JsonNode>> results = new ConcurrentHashMap<>();
  private GitDaemonServer git;
  private Connection amqp;
  private Channel channel;
  private ManagedChannel workerChannel;
  private ComponentProcess worker;
  private ComponentProcess orchestrator;
  private ComponentProcess bridge;
  private Cli cli;

  private BlacktreeStack(TestIds ids, Path dir, Function<String, List<String>> extraArgs) {
    this.ids = ids;
    this.extraArgs = extraArgs;
    this.endpoints = ServiceEndpoints.fromEnvironment();
    this.repos = new GitRepos(dir.resolve("git"));
  }

  /**
   * Starts everything; fails (CI) or skips when a shared service is down.
   *
   * @param dir a fresh directory for repos and the worker's workdir
   */
  public static BlacktreeStack start(Class<?> testClass, Path dir) throws Exception {
    return start(testClass, dir, component -> List.of());
  }

  /**
   * As {@link #start(Class, Path)}, with more flags for some components.
   *
   * @param extraArgs flags appended to the command line of {@code "worker"}, {@code "orchestrator"} and
   *                  {@code "bridge"} (empty for none)
   */
  public static BlacktreeStack start(Class<?> testClass, Path dir, Function<String, List<String>> extraArgs)
      throws Exception {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN, Service.RABBITMQ, Service.TEMPORAL);
    BlacktreeStack stack = new BlacktreeStack(TestIds.forClass(testClass), dir, extraArgs);
    try {
      stack.startAll(dir);
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  private void startAll(Path dir) throws Exception {
    git = GitDaemonServer.start(repos.baseDir());
    closeables.add(git);
    cli = new Cli(Map.of(
        "BLACKTREE_TEMPORAL", endpoints.temporalTarget(),
        "BLACKTREE_NAMESPACE", endpoints.temporalNamespace(),
        "BLACKTREE_AMQP", amqpUrl(),
        "BLACKTREE_QUEUE_PREFIX", queuePrefix()));
    Cli.Result setup = cli.run("setup");
    if (setup.exitCode() != 0) {
      throw new IllegalStateException("blacktree setup failed: " + setup);
    }
    listenForResults();

    int port = ComponentProcess.freePort();
    worker = ComponentProcess.blacktree(ids.name("worker"), with(List.of("worker",
        "--port", Integer.toString(port), "--workdir", dir.resolve("worker").toString(),
        "--registry", "none", "--registry-url", registry(),
        "--git-base-url", git.baseUrl(), "--worker-id", ids.name("worker"),
        "--job-time-limit", "PT5M", "--grace", "PT5S"), "worker"));
    closeables.add(worker);
    worker.awaitPort(port, Duration.ofSeconds(60));
    workerChannel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();

    orchestrator = ComponentProcess.blacktree(ids.name("orchestrator"), withConnection(with(List.of("orchestrator",
        "--workers", "127.0.0.1:" + port,
        "--deploy-task-queue", deployTaskQueue(), "--dispatch-task-queue", ids.name("dispatch"),
        "--job-time-limit", "PT5M", "--initial-backoff", "PT1S", "--max-backoff", "PT2S"), "orchestrator")));
    closeables.add(orchestrator);
    bridge = ComponentProcess.blacktree(ids.name("bridge"), withConnection(with(List.of("bridge",
        "--task-queue", deployTaskQueue()), "bridge")));
    closeables.add(bridge);
  }

  private List<String> with(List<String> args, String component) {
    List<String> all = new ArrayList<>(args);
    all.addAll(extraArgs.apply(component));
    return all;
  }

  private List<String> withConnection(List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--temporal", endpoints.temporalTarget(), "--namespace", endpoints.temporalNamespace(),
        "--amqp", amqpUrl(), "--queue-prefix", queuePrefix()));
    return all;
  }

  private void listenForResults() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(amqpUrl());
    amqp = factory.newConnection(ids.name("results"));
    channel = amqp.createChannel();
    String queue = channel.queueDeclare("", false, true, true, null).getQueue();
    channel.queueBind(queue, resultsExchange(), "#");
    channel.basicConsume(queue, true, (tag, delivery) -> {
      JsonNode body = JSON.readTree(delivery.getBody());
      String key = body.path("workflow_id").asText("");
      results.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(body);
    }, tag -> { });
  }

  /** The CLI, connected to this stack through its {@code BLACKTREE_*} variables. */
  public Cli cli() {
    return cli;
  }

  public GitRepos repos() {
    return repos;
  }

  public TestIds ids() {
    return ids;
  }

  public String registry() {
    return endpoints.registryOpen();
  }

  public String queuePrefix() {
    return ids.prefix() + ".";
  }

  public String deployTaskQueue() {
    return ids.name("deploy");
  }

  public String buildQueue() {
    return queuePrefix() + "jobs.build";
  }

  public String resultsExchange() {
    return queuePrefix() + "jobs.results";
  }

  private String amqpUrl() {
    return "amqp://guest:guest@" + endpoints.amqpHost() + ":" + endpoints.amqpPort();
  }

  /** A new ECR repository name (lowercase) unique to this stack; it makes the workflow ID unique. */
  public String newEcrRepo(String what) {
    return ids.next(what);
  }

  /** The workflow ID the bridge gives a request for {@code ecrRepo:version}. */
  public static String workflowId(String ecrRepo, String version) {
    return "deploy:" + ACCOUNT + ":" + REGION + ":" + ecrRepo + ":" + version;
  }

  /**
   * Publishes a request on the build queue the way the API does (persistent JSON, confirmed).
   *
   * @return the workflow ID of the job it starts
   */
  public String publish(String repo, String branch, String version, String ecrRepo) throws Exception {
    return publish(repo, branch, version, ecrRepo, Map.of());
  }

  /** As {@link #publish(String, String, String, String)}, with these AMQP headers on the message. */
  public String publish(String repo, String branch, String version, String ecrRepo, Map<String, Object> headers)
      throws Exception {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("repo_url", repo);
    request.put("branch", branch);
    request.put("deployment_version", version);
    request.put("aws_account", ACCOUNT);
    request.put("ecr_repo", ecrRepo);
    byte[] body = JSON.writeValueAsBytes(request);
    try (Channel ch = amqp.createChannel()) {
      ch.confirmSelect();
      ch.basicPublish("", buildQueue(), true, new AMQP.BasicProperties.Builder()
          .contentType("application/json").deliveryMode(2).messageId(UUID.randomUUID().toString())
          .headers(headers.isEmpty() ? null : headers).build(), body);
      ch.waitForConfirmsOrDie(30_000);
    }
    return workflowId(ecrRepo, version);
  }

  /** The next result message for {@code workflowId} after {@code seen} earlier ones, within {@code bound}. */
  public JsonNode awaitResult(String workflowId, int seen, Duration bound) throws InterruptedException {
    Instant end = Instant.now().plus(bound);
    while (Instant.now().isBefore(end)) {
      List<JsonNode> got = results.getOrDefault(workflowId, List.of());
      if (got.size() > seen) {
        return got.get(seen);
      }
      assertComponentsAlive();
      Thread.sleep(200);
    }
    throw new AssertionError("no result message #" + (seen + 1) + " for " + workflowId + " on "
        + resultsExchange() + " within " + bound);
  }

  /** The first result message for {@code workflowId}. */
  public JsonNode awaitResult(String workflowId, Duration bound) throws InterruptedException {
    return awaitResult(workflowId, 0, bound);
  }

  /** The worker's state from its GetStatus (FREE or BUSY). */
  public WorkerState workerState() {
    return WorkerGrpc.newBlockingStub(workerChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getStatus(GetStatusRequest.getDefaultInstance()).getState();
  }

  /** Fails with the dead component's log when a component process has exited. */
  public void assertComponentsAlive() {
    for (ComponentProcess p : List.of(worker, orchestrator, bridge)) {
      if (!p.isAlive()) {
        throw new AssertionError(p + " exited; log:\n" + p.output());
      }
    }
  }

  /** Polls {@code blacktree jobs show ID --json} until its status is {@code status}; returns that JSON. */
  public JsonNode awaitJobStatus(String workflowId, String status, Duration bound) throws Exception {
    Instant end = Instant.now().plus(bound);
    Cli.Result last = null;
    while (Instant.now().isBefore(end)) {
      last = cli.run("jobs", "show", workflowId, "--json");
      if (last.exitCode() == 0) {
        JsonNode job = JSON.readTree(last.out());
        if (status.equals(job.path("status").asText())) {
          return job;
        }
      }
      assertComponentsAlive();
      Thread.sleep(500);
    }
    throw new AssertionError("job " + workflowId + " not " + status + " within " + bound + "; last: " + last);
  }

  /** Parses a command's JSON output. */
  public static JsonNode json(String text) throws IOException {
    return JSON.readTree(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Files of a tiny app whose image prints {@code text}; {@code extra} goes before CMD. */
  public static Map<String, Object> app(String text, String extra) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("hello.txt", text + "\n");
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello.txt /hello.txt\n" + extra
        + "CMD [\"/bin/busybox\", \"cat\", \"/hello.txt\"]\n");
    return files;
  }

  /** {@code RUN busybox <args>} as a Dockerfile line. */
  public static String run(String... args) {
    StringBuilder sb = new StringBuilder("RUN [\"/bin/busybox\"");
    for (String a : args) {
      sb.append(", \"").append(a).append('"');
    }
    return sb.append("]\n").toString();
  }

  /** The value of a component's log, for failure messages. */
  public Optional<String> log(String component) {
    return List.of(worker, orchestrator, bridge).stream().filter(p -> p != null && p.toString().contains(component))
        .findFirst().map(ComponentProcess::output);
  }

  @Override
  public void close() {
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
    try {
      if (amqp != null && amqp.isOpen()) {
        try (Channel ch = amqp.createChannel()) {
          ch.queueDelete(buildQueue());
          ch.queueDelete(queuePrefix() + "jobs.build.dlq");
          ch.exchangeDelete(resultsExchange());
        }
        amqp.close();
      }
    } catch (Exception e) {
      // the broker cleans the exclusive queue with the connection
    }
  }
}
