package io.blacktree.bridge;

import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestTemporalClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;


import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.blacktree.core.DeployResult;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * What the bridge's ITs share: a plain AMQP client (the "API"), a Temporal client, a worker running
 * {@link TestDeployJob} on a task queue of its own, queue names with a prefix of their own, and cleanup.
 * With {@code CI=true} a missing RabbitMQ or Temporal fails the test; otherwise it is skipped.
 */
final class BridgeFixture implements AutoCloseable {
  static final String AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";
  static final String TEMPORAL = "127.0.0.1:7233";
  /** The tests' namespace, never the user's {@code default}. */
  static final String NAMESPACE = ServiceEndpoints.fromEnvironment().temporalNamespace();
  static final ObjectMapper JSON = new ObjectMapper();

  final String id = UUID.randomUUID().toString().substring(0, 8);
  final QueueNames names = QueueNames.withPrefix("it-" + id + ".");
  final String taskQueue = "bridge-it-" + id;
  final String amqpUrl;
  Connection amqp;
  Channel channel;
  final WorkflowServiceStubs stubs;
  final WorkflowClient client;
  private final WorkerFactory workers;
  private final List<String> extraQueues = new ArrayList<>();

  BridgeFixture() throws Exception {
    this(AMQP_URL);
  }

  /** A fixture on the broker at {@code amqpUrl} (the shared one, or a test's own). */
  BridgeFixture(String amqpUrl) throws Exception {
    this.amqpUrl = amqpUrl;
    if (AMQP_URL.equals(amqpUrl)) {
      ServiceRequirement.require(Service.RABBITMQ);
    }
    ServiceRequirement.require(Service.TEMPORAL);
    connect();
    stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(TEMPORAL).build());
    client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(NAMESPACE).build());
    workers = WorkerFactory.newInstance(client);
    workers.newWorker(taskQueue, WorkerOptions.newBuilder().build())
        .registerWorkflowImplementationTypes(TestDeployJob.class);
    workers.start();
  }

  /** (Re)opens the API-side connection, e.g. after the broker restarted. */
  void connect() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(amqpUrl);
    factory.setAutomaticRecoveryEnabled(false);
    amqp = factory.newConnection("bridge-it-api-" + id);
    channel = amqp.createChannel();
    channel.confirmSelect();
  }

  /** A bridge config for this fixture: its queues, its task queue, short backoffs. */
  BridgeConfig.Builder config() {
    return BridgeConfig.builder()
        .queueNames(names)
        .taskQueue(taskQueue)
        .maxBackoff(Duration.ofSeconds(2))
        .rpcTimeout(Duration.ofSeconds(2))
        .connectionName("blacktree-bridge-it-" + id);
  }

  /**
   * A bridge on this fixture's broker with a lazy plaintext client to {@code temporalTarget} (the shared server, or
   * a fault proxy in front of it) in the tests' namespace; both closed with the bridge.
   */
  BridgeApp bridge(BridgeConfig config, String temporalTarget) throws BrokerException {
    WorkflowClient lazy = TestTemporalClients.lazy(temporalTarget, NAMESPACE, config.rpcTimeout());
    try {
      return BridgeApp.create(config, AmqpEndpoint.of(amqpUrl), lazy, new SimpleMeterRegistry(),
          OpenTelemetry.noop().getTracer("bridge-it"));
    } catch (BrokerException | RuntimeException e) {
      lazy.getWorkflowServiceStubs().shutdownNow();
      throw e;
    }
  }

  /** A random 12-digit account, so workflow IDs of this run never meet those of another run. */
  static String randomAccount() {
    return String.valueOf(100_000_000_000L + ThreadLocalRandom.current().nextLong(899_999_999_999L));
  }

  /** A server-named exclusive queue for replies, deleted with the fixture. */
  String replyQueue() throws IOException {
    String q = channel.queueDeclare("it-" + id + ".reply." + UUID.randomUUID(), false, false, true, null).getQueue();
    extraQueues.add(q);
    return q;
  }

  /** A queue bound to the results exchange for {@code routingKey}. */
  String resultsQueue(String routingKey) throws IOException {
    String q = replyQueue();
    channel.queueBind(q, names.resultsExchange(), routingKey);
    return q;
  }

  void publish(String body, String replyTo, String correlationId) throws IOException {
    publish(body.getBytes(StandardCharsets.UTF_8), replyTo, correlationId);
  }

  void publish(byte[] body, String replyTo, String correlationId) throws IOException {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
        .contentType("application/json").deliveryMode(2).replyTo(replyTo).correlationId(correlationId)
        .messageId(UUID.randomUUID().toString()).build();
    channel.basicPublish("", names.buildQueue(), props, body);
    try {
      channel.waitForConfirmsOrDie(10_000);
    } catch (java.util.concurrent.TimeoutException | InterruptedException e) {
      throw new IOException("publish not confirmed", e);
    }
  }

  /** The next message on {@code queue} within {@code timeout} (acked), or a failure. */
  GetResponse take(String queue, Duration timeout) throws Exception {
    GetResponse r = await("a message on " + queue, timeout, () -> get(queue));
    return r;
  }

  private GetResponse get(String queue) {
    try {
      return channel.basicGet(queue, true);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  DeployResult result(GetResponse r) throws IOException {
    return JSON.readValue(r.getBody(), DeployResult.class);
  }

  long ready(String queue) throws IOException {
    return channel.queueDeclarePassive(queue).getMessageCount();
  }

  Optional<WorkflowExecutionDescription> describe(String workflowId) {
    try {
      return Optional.of(client.newUntypedWorkflowStub(workflowId).describe());
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    }
  }

  /** Executions with this ID in visibility (all runs), polled until it reaches {@code expected} or the bound. */
  long countRuns(String query, long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long count;
    do {
      count = client.countWorkflows(query).getCount();
      if (count == expected) {
        return count;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return count;
  }

  boolean completed(String workflowId) {
    return describe(workflowId).map(d -> d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED)
        .orElse(false);
  }

  static <T> T await(String what, Duration timeout, Supplier<T> probe) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      T v = probe.get();
      if (v != null && !Boolean.FALSE.equals(v)) {
        return v;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what);
  }

  @Override
  public void close() throws Exception {
    workers.shutdownNow();
    if (!amqp.isOpen()) {
      stubs.shutdownNow();
      return;
    }
    try (Channel ch = amqp.createChannel()) {
      ch.queueDelete(names.buildQueue());
      ch.queueDelete(names.deadLetterQueue());
      ch.exchangeDelete(names.resultsExchange());
      for (String q : extraQueues) {
        ch.queueDelete(q);
      }
    } finally {
      amqp.close();
      stubs.shutdownNow();
    }
  }
}
