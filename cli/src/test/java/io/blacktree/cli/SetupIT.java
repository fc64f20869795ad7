package io.blacktree.cli;

import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.blacktree.core.Names;
import io.temporal.api.operatorservice.v1.DeleteNamespaceRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code blacktree setup} against the real dev server and RabbitMQ: idempotent, everything declared, a missing
 * namespace created.
 */
class SetupIT {
  private static final String AMQP = "amqp://guest:guest@127.0.0.1:5672";
  private final String prefix = "setupit-" + UUID.randomUUID().toString().substring(0, 8) + ".";

  @BeforeEach
  void services() {
    ServiceRequirement.require(Service.TEMPORAL, Service.RABBITMQ);
  }

  @AfterEach
  void deleteQueues() throws Exception {
    try (Connection connection = connect(); Channel channel = connection.createChannel()) {
      channel.queueDelete(prefix + Names.BUILD_QUEUE);
      channel.queueDelete(prefix + Names.DEAD_LETTER_QUEUE);
      channel.exchangeDelete(prefix + Names.RESULTS_EXCHANGE);
    }
  }

  private static Connection connect() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(AMQP);
    return factory.newConnection("setup-it");
  }

  @Test
  void setup_runTwice_succeedsBothTimesAndDeclaresEverything() throws Exception {
    CliRun first = CliRun.run("setup", "--queue-prefix", prefix, "--amqp", AMQP);
    CliRun second = CliRun.run("setup", "--queue-prefix", prefix, "--amqp", AMQP);

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out()).contains("all present").contains(prefix + Names.BUILD_QUEUE);
    try (Connection connection = connect(); Channel channel = connection.createChannel()) {
      channel.queueDeclarePassive(prefix + Names.BUILD_QUEUE);
      channel.queueDeclarePassive(prefix + Names.DEAD_LETTER_QUEUE);
      channel.exchangeDeclarePassive(prefix + Names.RESULTS_EXCHANGE);
    }
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
        .setTarget("127.0.0.1:7233").validateAndBuildWithDefaults());
    try {
      assertThat(operator.blockingStub()
          .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace("default").build())
          .getCustomAttributesMap()).containsKeys(Names.SEARCH_ATTRIBUTES.toArray(String[]::new));
    } finally {
      operator.shutdownNow();
    }
  }

  @Test
  void setup_namespaceMissing_createsItWithTheRetentionAndSaysSo() throws Exception {
    String namespace = "bt-setupit-" + UUID.randomUUID().toString().substring(0, 8);
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
        .setTarget("127.0.0.1:7233").validateAndBuildWithDefaults());
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget("127.0.0.1:7233").build());
    try {
      CliRun first = CliRun.run("setup", "--skip-amqp", "--namespace", namespace, "--retention", "P2D");
      CliRun second = CliRun.run("setup", "--skip-amqp", "--namespace", namespace);

      assertThat(first.exitCode()).as(first.err()).isZero();
      assertThat(first.out()).contains("Namespace " + namespace + " did not exist: created it (retention PT48H)")
          .contains("Search attributes in namespace " + namespace);
      assertThat(second.exitCode()).as(second.err()).isZero();
      assertThat(second.out()).doesNotContain("did not exist").contains("all present");
      assertThat(service.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder()
          .setNamespace(namespace).build()).getConfig().getWorkflowExecutionRetentionTtl().getSeconds())
          .isEqualTo(Duration.ofDays(2).toSeconds());
      assertThat(operator.blockingStub()
          .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
          .getCustomAttributesMap()).containsKeys(Names.SEARCH_ATTRIBUTES.toArray(String[]::new));
    } finally {
      operator.blockingStub().deleteNamespace(DeleteNamespaceRequest.newBuilder().setNamespace(namespace).build());
      operator.shutdownNow();
      service.shutdownNow();
    }
  }

  @Test
  void setup_brokerUnreachable_exits3() {
    CliRun run = CliRun.run("setup", "--queue-prefix", prefix, "--amqp", "amqp://guest:guest@127.0.0.1:1");

    assertThat(run.exitCode()).isEqualTo(3);
  }
}
