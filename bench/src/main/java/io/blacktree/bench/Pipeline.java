package io.blacktree.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import io.blacktree.core.DeployResult;
import io.blacktree.core.Names;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The real orchestration path: a bridge and one orchestrator per build host as child JVMs on this run's own queue
 * prefix and task queues, RabbitMQ for requests and results, Temporal. The build workers are the caller's (stand-ins
 * or real workers). Publishes requests the way the API does and records when each result message arrived.
 */
final class Pipeline implements AutoCloseable {
  static final String ACCOUNT = "123456789012";
  static final String REGION = "us-east-1";

  /**
   * A result message as received; {@code body} is the message read as the {@link DeployResult} it is (null when it
   * could not be read as one).
   */
  record Result(String workflowId, String status, long stepMillisTotal, long receivedMillis, DeployResult body) {}

  /**
   * A build host: an orchestrator owning {@code workers}, with its own {@code --host-id} and {@code --affinity-wait};
   * a null {@code hostId} leaves both at the orchestrator's defaults.
   */
  record Host(String hostId, List<String> workers, Duration affinityWait) {}

  private final String prefix;
  private final String ecrRepo;
  private final List<ChildProcess> orchestrators = new ArrayList<>();
  private final ChildProcess bridge;
  private final Connection amqp;
  private final Channel publish;
  private final Channel consume;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final Map<String, Long> published = new ConcurrentHashMap<>();
  private final Map<String, Result> results = new ConcurrentHashMap<>();
  private final List<Result> allResults = new CopyOnWriteArrayList<>();
  private final ObjectMapper json = new ObjectMapper();

  /**
   * One orchestrator child per host (its log {@code orchestrator-<hostId>.log}), all on the same task queues.
   *
   * @param runId   unique per run: queue prefix {@code bench-<runId>.}, task queues {@code bench-<runId>-deploy}
   *                and {@code -dispatch}, ECR repo (so workflow IDs) {@code bench-<runId>/app}
   */
  Pipeline(String runId, String temporal, List<Host> hosts, Path logDir, int bridgePrefetch) throws Exception {
    this.prefix = "bench-" + runId + ".";
    this.ecrRepo = "bench-" + runId.toLowerCase(java.util.Locale.ROOT) + "/app";
    String deployQueue = "bench-" + runId + "-deploy";
    String dispatchQueue = "bench-" + runId + "-dispatch";
    String exchange = prefix + Names.RESULTS_EXCHANGE;
    ConnectionFactory cf = new ConnectionFactory();
    cf.setUri(io.blacktree.core.Defaults.AMQP_URL);
    this.amqp = cf.newConnection("blacktree-bench");
    this.consume = amqp.createChannel();
    consume.exchangeDeclare(exchange, "topic", true);
    String q = consume.queueDeclare("", false, true, true, null).getQueue();
    consume.queueBind(q, exchange, Names.RESULT_ROUTING_PREFIX + "#");
    DeliverCallback cb = (tag, d) -> onResult(d.getBody());
    consume.basicConsume(q, true, cb, tag -> { });
    for (Host host : hosts) {
      List<String> args = new ArrayList<>(List.of("orchestrator", temporal, deployQueue, dispatchQueue, exchange,
          String.join(",", host.workers())));
      if (host.hostId() != null) {
        args.add(host.hostId());
        args.add(Long.toString(host.affinityWait().toMillis()));
      }
      String name = host.hostId() == null ? "orchestrator" : "orchestrator-" + host.hostId();
      orchestrators.add(new ChildProcess(name, args, logDir.resolve(name + ".log")));
    }
    this.bridge = new ChildProcess("bridge", List.of("bridge", temporal, deployQueue, prefix,
        Integer.toString(bridgePrefetch)),
        logDir.resolve("bridge.log"));
    for (ChildProcess o : orchestrators) {
      o.awaitReady(120);
    }
    bridge.awaitReady(120);
    this.publish = amqp.createChannel();
    publish.confirmSelect();
    this.stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(temporal).build());
    this.client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
        .setNamespace(io.blacktree.core.Defaults.NAMESPACE).build());
  }

  private void onResult(byte[] body) {
    long now = System.currentTimeMillis();
    try {
      JsonNode n = json.readTree(body);
      long steps = 0;
      JsonNode sm = n.path("step_millis");
      for (var it = sm.elements(); it.hasNext(); ) {
        steps += it.next().asLong();
      }
      DeployResult result = null;
      try {
        result = json.treeToValue(n, DeployResult.class);
      } catch (java.io.IOException | IllegalArgumentException e) {
        System.err.println("result not readable as a DeployResult: " + e.getMessage());
      }
      Result r = new Result(n.path("workflow_id").asText(), n.path("status").asText(), steps, now, result);
      allResults.add(r);
      results.putIfAbsent(r.workflowId(), r);
    } catch (java.io.IOException e) {
      System.err.println("unparseable result: " + e.getMessage());
    }
  }

  /** Publishes one request (persistent, confirmed) whose stand-in job runs {@code delayMillis}; returns its workflow ID. */
  String publish(String version, long delayMillis) throws Exception {
    return send("bench/app", ecrRepo, version, "bench-" + version,
        ",\"build_args\":{\"STANDIN_DELAY_MS\":\"" + delayMillis + "\"}");
  }

  /**
   * Publishes one build of {@code repo} (an {@code owner/name} the workers' git base URL resolves; also the image
   * repository) at {@code version} and waits for the broker's confirm; returns its workflow ID.
   */
  String publishBuild(String repo, String version) throws Exception {
    String id = send(repo, repo, version, "bench-" + repo.replace('/', '.') + "-" + version, "");
    publish.waitForConfirmsOrDie(60_000);
    return id;
  }

  private String send(String repoUrl, String imageRepo, String version, String requestId, String extra)
      throws Exception {
    String body = "{\"repo_url\":\"" + repoUrl + "\",\"branch\":\"main\",\"deployment_version\":\"" + version
        + "\",\"aws_account\":\"" + ACCOUNT + "\",\"region\":\"" + REGION + "\",\"ecr_repo\":\"" + imageRepo
        + "\",\"request_id\":\"" + requestId + "\"" + extra + "}";
    String id = "deploy:" + ACCOUNT + ":" + REGION + ":" + imageRepo + ":" + version;
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
        .deliveryMode(2).messageId(requestId).build();
    synchronized (publish) {
      published.put(id, System.currentTimeMillis());
      publish.basicPublish("", prefix + Names.BUILD_QUEUE, props, body.getBytes(StandardCharsets.UTF_8));
    }
    return id;
  }

  /** Publishes many at once, confirming in one go at the end; returns their workflow IDs. */
  List<String> publishBatch(String versionPrefix, int count, long delayMillis) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(publish(versionPrefix + i, delayMillis));
    }
    publish.waitForConfirmsOrDie(120_000);
    return ids;
  }

  long publishedAt(String workflowId) {
    return published.getOrDefault(workflowId, -1L);
  }

  Result result(String workflowId) {
    return results.get(workflowId);
  }

  /** Waits (bounded) until every ID has a result; returns how many are still missing. */
  int awaitResults(List<String> ids, long timeoutMillis) throws InterruptedException {
    long until = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      int missing = 0;
      for (String id : ids) {
        if (!results.containsKey(id)) {
          missing++;
        }
      }
      if (missing == 0 || System.currentTimeMillis() > until) {
        return missing;
      }
      Thread.sleep(50);
    }
  }

  /** Result messages received for these IDs in total (more than one per ID = duplicates). */
  long resultMessagesFor(java.util.Collection<String> ids) {
    java.util.Set<String> set = new java.util.HashSet<>(ids);
    return allResults.stream().filter(r -> set.contains(r.workflowId())).count();
  }

  WorkflowClient client() {
    return client;
  }

  void cancel(String workflowId) {
    client.newUntypedWorkflowStub(workflowId).cancel();
  }

  /** The (first) orchestrator child. */
  ChildProcess orchestrator() {
    return orchestrators.get(0);
  }

  ChildProcess bridge() {
    return bridge;
  }

  @Override
  public void close() throws Exception {
    bridge.close();
    for (ChildProcess o : orchestrators) {
      o.close();
    }
    stubs.shutdown();
    stubs.awaitTermination(5, TimeUnit.SECONDS);
    amqp.close();
  }
}
