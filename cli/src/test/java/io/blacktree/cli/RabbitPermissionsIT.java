package io.blacktree.cli;

import io.blacktree.core.JobStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.blacktree.activities.LastHostFeed;
import io.blacktree.activities.LastHosts;
import io.blacktree.activities.PublishActivitiesImpl;
import io.blacktree.activities.PublishRequest;
import io.blacktree.bridge.AmqpEndpoint;
import io.blacktree.bridge.BridgeApp;
import io.blacktree.bridge.BridgeConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.blacktree.bridge.QueueNames;
import io.blacktree.core.Affinity;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ReplyTarget;
import io.blacktree.testsupport.PrivateRabbit;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestNamespace;
import io.blacktree.testsupport.TestTemporalClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The least RabbitMQ permissions of SECURITY.md, verbatim, on a node of this test: the API user publishes a
 * request (and cannot read the build queue), the bridge user declares the topology, consumes, dead-letters
 * and starts the workflow, the orchestrator user declares the results exchange, publishes a result and a
 * reply, reads the fleet's results through a queue of its own (the last-host feed of cache affinity), and cannot
 * read the build queue.
 */
class RabbitPermissionsIT {
  private static final String API = "^amq\\.gen-.*|^amq\\.default$|^amq\\.gen-.*";
  private static final String BRIDGE = "^jobs\\.(build|build\\.dlq|results)$|^(amq\\.default|jobs\\.results)$|^jobs\\.build$";
  private static final String ORCHESTRATOR = "^(jobs\\.results|amq\\.gen-.*)$|^(amq\\.default|jobs\\.results|amq\\.gen-.*)$"
      + "|^(jobs\\.results|amq\\.gen-.*)$";
  @TempDir Path dir;

  @Test
  void leastPermissions_eachProcessDoesItsJobAndNoMore() throws Exception {
    ServiceRequirement.require(Service.TEMPORAL);
    try (PrivateRabbit rabbit = new PrivateRabbit(dir.resolve("rabbit"))) {
      rabbit.start();
      String base = rabbit.url().replace("guest:guest@", "");
      for (String[] user : new String[][] {{"bt-api", API}, {"bt-bridge", BRIDGE}, {"bt-orchestrator", ORCHESTRATOR}}) {
        String[] perms = user[1].split("\\|(?=\\^)");
        rabbit.ctl("add_user", user[0], user[0] + "-pw");
        rabbit.ctl("set_permissions", "-p", "/", user[0], perms[0], perms[1], perms[2]);
      }
      Path apiPw = Files.writeString(dir.resolve("api.pw"), "bt-api-pw\n", StandardCharsets.UTF_8);
      String ecrRepo = "perm-" + UUID.randomUUID().toString().substring(0, 8);

      CliRun setup = CliRun.run("setup", "--amqp", rabbit.url());
      assertThat(setup.exitCode()).as(setup.err()).isZero();
      CliRun submit = CliRun.run("submit", "--amqp", base.replace("amqp://", "amqp://bt-api@"),
          "--amqp-password-file", apiPw.toString(), "--repo", "demo/hello", "--branch", "main", "--version", "v1",
          "--account", "123456789012", "--ecr-repo", ecrRepo);
      CliRun invalid = CliRun.run(Map.of("BLACKTREE_AMQP_PASSWORD", "bt-api-pw"), "submit", "--amqp",
          base.replace("amqp://", "amqp://bt-api@"), "--repo", "demo/hello", "--branch", "main", "--version", "v1",
          "--account", "1234567890", "--ecr-repo", ecrRepo);
      assertThat(submit.exitCode()).as(submit.err()).isZero();
      assertThat(invalid.exitCode()).as(invalid.err()).isZero();
      try (Connection api = connect(base, "bt-api")) {
        assertRefused(api, "jobs.build");
      }

      ServiceEndpoints endpoints = ServiceEndpoints.fromEnvironment();
      TestNamespace.ensure(endpoints.temporalTarget(), endpoints.temporalNamespace());
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(endpoints.temporalTarget()).build());
      WorkflowClient client = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace(endpoints.temporalNamespace()).build());
      BridgeConfig config = BridgeConfig.builder().taskQueue("perm-it-" + ecrRepo)
          .queueNames(QueueNames.defaults()).build();
      String workflowId = "deploy:123456789012:us-east-1:" + ecrRepo + ":v1";
      try (BridgeApp bridge = BridgeApp.create(config, new AmqpEndpoint(base.replace("amqp://", "amqp://bt-bridge@"),
          "bt-bridge-pw", null, null, null), TestTemporalClients.lazy(endpoints.temporalTarget(),
          endpoints.temporalNamespace(), config.rpcTimeout()), new SimpleMeterRegistry(),
          OpenTelemetry.noop().getTracer("RabbitPermissionsIT"))) {
        bridge.start();
        await("the bridge dead-lettered the invalid request", () -> messages(rabbit, "jobs.build.dlq") == 1);
        await("the bridge started the valid request's workflow", () -> started(client, workflowId));
        await("the bridge acked both", () -> messages(rabbit, "jobs.build") == 0);
        assertThat(bridge.state()).isEqualTo("CONSUMING");
      } finally {
        try {
          client.newUntypedWorkflowStub(workflowId).terminate("RabbitPermissionsIT");
        } catch (RuntimeException e) {
          // not started
        }
      }
      try (Connection guest = connect(rabbit.url()); Channel ch = guest.createChannel();
           Connection orchestrator = connect(base, "bt-orchestrator")) {
        String reply = ch.queueDeclare("", false, true, true, null).getQueue();
        String results = ch.queueDeclare("", false, true, true, null).getQueue();
        ch.queueBind(results, "jobs.results", "#");
        DeployResult result = new DeployResult(JobStatus.SUCCESS, workflowId, null, null, null, null, null, null, 1, null,
            null, null, "", null, new Affinity(Affinity.Outcome.HIT, "host-a", "host-a"), null);
        LastHosts lastHosts = new LastHosts(10);
        try (LastHostFeed feed = new LastHostFeed(orchestrator, "jobs.results", lastHosts)) {
          feed.start();
          new PublishActivitiesImpl(orchestrator, "jobs.results", Duration.ofSeconds(10)).publish(new PublishRequest(
              UUID.randomUUID().toString(), result, List.of(new ReplyTarget(reply, "c1")), "demo/hello"));
          assertThat(ch.basicGet(reply, true)).as("reply published by the orchestrator user").isNotNull();
          assertThat(ch.basicGet(results, true)).as("result published by the orchestrator user").isNotNull();
          await("the orchestrator user's last-host feed read the result",
              () -> lastHosts.get("demo/hello").equals(java.util.Optional.of(new LastHosts.Known("host-a"))));
        }
        assertRefused(orchestrator, "jobs.build");
      }
      stubs.shutdownNow();
    }
  }

  private static void assertRefused(Connection connection, String queue) throws IOException {
    Channel ch = connection.createChannel();
    assertThatThrownBy(() -> ch.basicGet(queue, false)).hasStackTraceContaining("ACCESS_REFUSED");
  }

  private static boolean started(WorkflowClient client, String workflowId) {
    try {
      return client.newUntypedWorkflowStub(workflowId).describe().getWorkflowType().equals("DeployJob");
    } catch (io.temporal.client.WorkflowNotFoundException e) {
      return false;
    }
  }

  private static int messages(PrivateRabbit rabbit, String queue) throws Exception {
    try (Connection c = connect(rabbit.url()); Channel ch = c.createChannel()) {
      return ch.queueDeclarePassive(queue).getMessageCount();
    }
  }

  private static Connection connect(String base, String user) throws Exception {
    ConnectionFactory f = new ConnectionFactory();
    f.setUri(base);
    f.setUsername(user);
    f.setPassword(user + "-pw");
    return f.newConnection(user);
  }

  private static Connection connect(String url) throws Exception {
    ConnectionFactory f = new ConnectionFactory();
    f.setUri(url);
    return f.newConnection("perm-it");
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void await(String what, Check check) throws Exception {
    Instant end = Instant.now().plus(Duration.ofSeconds(60));
    while (!check.ok()) {
      assertThat(Instant.now()).as(what).isBefore(end);
      Thread.sleep(200);
    }
  }
}
