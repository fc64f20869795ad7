package io.blacktree.e2e.faults;

import io.blacktree.testsupport.TestRequests;
import io.blacktree.testsupport.PrivateRabbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.Names;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Intake through crashes: 20 requests published on a RabbitMQ node of the test's own ({@link PrivateRabbit},
 * so the shared broker is never stopped) while the bridge ({@code blacktree bridge}, a real process) is killed
 * with SIGKILL twice and the broker is restarted once. Exactly 20 workflows must exist on the shared Temporal
 * (one per request: none lost, none duplicated), counted by workflow ID and by the test's own task queue, and
 * the build queue must end empty. No orchestrator runs, so the workflows stay open; the test terminates them.
 */
class BridgeRestartE2EIT {
  private static final int REQUESTS = 20;
  private static final String ACCOUNT = "123456789012";
  private static final String REGION = "us-east-1";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static final TestIds ids = TestIds.forClass(BridgeRestartE2EIT.class);
  static final ServiceEndpoints endpoints = ServiceEndpoints.fromEnvironment();
  static PrivateRabbit rabbit;
  static WorkflowServiceStubs service;
  static WorkflowClient client;
  static ComponentProcess bridge;
  static int bridgeStarts;
  static final List<String> workflowIds = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    ServiceRequirement.require(Service.TEMPORAL);
    rabbit = new PrivateRabbit(dir.resolve("rabbit"));
    rabbit.start();
    Cli.Result setup = new Cli(Map.of(
        "BLACKTREE_TEMPORAL", endpoints.temporalTarget(),
        "BLACKTREE_NAMESPACE", endpoints.temporalNamespace(),
        "BLACKTREE_AMQP", rabbit.url(),
        "BLACKTREE_QUEUE_PREFIX", queuePrefix())).run("setup");
    assertThat(setup.exitCode()).as(setup.toString()).isZero();
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(endpoints.temporalTarget()).build());
    client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(endpoints.temporalNamespace()).build());
    startBridge();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (bridge != null) {
        bridge.close();
      }
      if (client != null) {
        for (String id : workflowIds) {
          try {
            client.newUntypedWorkflowStub(id).terminate("test over");
          } catch (RuntimeException e) {
            // never started, or already closed
          }
        }
      }
      if (service != null) {
        service.shutdown();
      }
    } finally {
      if (rabbit != null) {
        rabbit.close();
      }
    }
  }

  @Test
  void twentyRequests_bridgeKilledTwiceBrokerRestarted_exactlyTwentyWorkflows() throws Exception {
    try (Publisher publisher = new Publisher()) {
      for (int i = 0; i < REQUESTS; i++) {
        if (i == 5 || i == 15) {
          bridge.kill();
          publisher.publish(i);
          startBridge();
        } else if (i == 10) {
          rabbit.restart();
          publisher.publish(i);
        } else {
          publisher.publish(i);
        }
        Thread.sleep(300);
      }
    }

    awaitTrue("all " + REQUESTS + " workflows in visibility", Duration.ofSeconds(120),
        () -> workflowIds.stream().allMatch(id -> executions("WorkflowId = '" + id + "'") >= 1));
    for (String id : workflowIds) {
      assertThat(executions("WorkflowId = '" + id + "'")).as("executions of %s", id).isEqualTo(1);
    }
    awaitTrue("the build queue drained", Duration.ofSeconds(60), () -> buildQueueDepth() == 0);
    // a duplicate start would come from a redelivery: give the bridge a moment, then count by task queue
    Thread.sleep(2000);
    assertThat(executions("TaskQueue = '" + taskQueue() + "'")).as("workflows on " + taskQueue())
        .isEqualTo(REQUESTS);
    assertThat(bridge.isAlive()).as("the last bridge still runs").isTrue();
  }

  /** Publishes confirmed, persistent requests; reconnects and publishes again when the broker went away. */
  private static final class Publisher implements AutoCloseable {
    private Connection connection;
    private Channel channel;

    void publish(int i) throws Exception {
      String ecrRepo = ids.name("req" + i);
      BuildRequest request = TestRequests.of("acme/app", "main", "v1", ACCOUNT, ecrRepo);
      synchronized (workflowIds) {
        workflowIds.add(Names.workflowId(request, REGION));
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("repo_url", "acme/app");
      body.put("branch", "main");
      body.put("deployment_version", "v1");
      body.put("aws_account", ACCOUNT);
      body.put("ecr_repo", ecrRepo);
      byte[] bytes = JSON.writeValueAsBytes(body);
      Instant end = Instant.now().plus(Duration.ofSeconds(120));
      while (true) {
        try {
          if (channel == null || !channel.isOpen()) {
            connect();
          }
          channel.basicPublish("", queuePrefix() + Names.BUILD_QUEUE, true, new AMQP.BasicProperties.Builder()
              .contentType("application/json").deliveryMode(2).messageId(UUID.randomUUID().toString()).build(),
              bytes);
          channel.waitForConfirmsOrDie(10_000);
          return;
        } catch (Exception e) {
          if (Instant.now().isAfter(end)) {
            throw new AssertionError("request " + i + " not confirmed within 120 s", e);
          }
          closeQuietly();
          Thread.sleep(500);
        }
      }
    }

    private void connect() throws Exception {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(rabbit.url());
      factory.setAutomaticRecoveryEnabled(false);
      connection = factory.newConnection(ids.name("publisher"));
      channel = connection.createChannel();
      channel.confirmSelect();
    }

    private void closeQuietly() {
      try {
        if (connection != null) {
          connection.abort();
        }
      } catch (RuntimeException e) {
        // gone already
      }
      connection = null;
      channel = null;
    }

    @Override
    public void close() {
      closeQuietly();
    }
  }

  private static void startBridge() {
    bridgeStarts++;
    bridge = ComponentProcess.blacktree(ids.name("bridge") + "-" + bridgeStarts, List.of("bridge",
        "--temporal", endpoints.temporalTarget(), "--namespace", endpoints.temporalNamespace(),
        "--amqp", rabbit.url(), "--queue-prefix", queuePrefix(), "--task-queue", taskQueue()));
  }

  private static long executions(String query) {
    return client.listExecutions(query).count();
  }

  private static long buildQueueDepth() {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(rabbit.url());
      try (Connection c = factory.newConnection(); Channel ch = c.createChannel()) {
        return ch.queueDeclarePassive(queuePrefix() + Names.BUILD_QUEUE).getMessageCount();
      }
    } catch (Exception e) {
      return -1;
    }
  }

  private static String queuePrefix() {
    return ids.prefix() + ".";
  }

  private static String taskQueue() {
    return ids.name("deploy");
  }

  private static void awaitTrue(String what, Duration bound, BooleanSupplier condition) throws Exception {
    Instant end = Instant.now().plus(bound);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("no " + what + " within " + bound + "; bridge log:\n" + tail(bridge.output()));
      }
      if (!bridge.isAlive()) {
        throw new AssertionError(bridge + " exited while waiting for " + what + ":\n" + tail(bridge.output()));
      }
      Thread.sleep(300);
    }
  }

  private static String tail(String s) {
    return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
  }
}
