package io.blacktree.e2e.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.e2e.faults.PrivateDockerd;
import io.blacktree.e2e.faults.PrivateTemporal;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.testsupport.PrivateRabbit;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestIds;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health/ready} of each process follows its dependency: 200 while it answers, 503 naming it while it is
 * stopped, 200 again once it is back. Each process runs against a private instance of the dependency it stops:
 * the bridge against its own RabbitMQ node, the orchestrator against its own Temporal dev server, the worker
 * against its own dockerd.
 */
class ReadinessFlipsE2EIT {
  private static final Duration FLIP = Duration.ofSeconds(60);
  private static final TestIds IDS = TestIds.forClass(ReadinessFlipsE2EIT.class);
  private final ServiceEndpoints endpoints = ServiceEndpoints.fromEnvironment();

  @TempDir Path dir;

  @Test
  void bridgeReady_rabbitStoppedThenStarted_503NamingRabbitThen200() throws Exception {
    ServiceRequirement.require(Service.TEMPORAL);
    int port = ComponentProcess.freePort();
    try (PrivateRabbit rabbit = new PrivateRabbit(dir.resolve("rabbit"))) {
      rabbit.start();
      try (ComponentProcess bridge = ComponentProcess.blacktree(IDS.name("bridge"), List.of("bridge",
          "--amqp", rabbit.url(), "--temporal", endpoints.temporalTarget(), "--namespace",
          endpoints.temporalNamespace(), "--queue-prefix", IDS.prefix() + ".", "--metrics-port",
          Integer.toString(port), "--max-backoff", "PT1S"))) {
        awaitReady(bridge, port, 200, null);
        rabbit.stop();
        awaitReady(bridge, port, 503, "rabbitmq");
        rabbit.start();
        awaitReady(bridge, port, 200, null);
      }
    }
  }

  @Test
  void orchestratorReady_temporalKilledThenStarted_503NamingTemporalThen200() throws Exception {
    ServiceRequirement.require(Service.RABBITMQ);
    int port = ComponentProcess.freePort();
    try (PrivateTemporal temporal = new PrivateTemporal(dir.resolve("temporal"))) {
      temporal.start();
      try (ComponentProcess orchestrator = ComponentProcess.blacktree(IDS.name("orchestrator"), List.of(
          "orchestrator", "--temporal", temporal.target(), "--workers", "127.0.0.1:" + ComponentProcess.freePort(),
          "--amqp", "amqp://guest:guest@" + endpoints.amqpHost() + ":" + endpoints.amqpPort(),
          "--queue-prefix", IDS.prefix() + ".", "--deploy-task-queue", IDS.name("deploy"),
          "--dispatch-task-queue", IDS.name("dispatch"), "--metrics-port", Integer.toString(port)))) {
        awaitReady(orchestrator, port, 200, null);
        temporal.kill();
        awaitReady(orchestrator, port, 503, "temporal");
        temporal.start();
        awaitReady(orchestrator, port, 200, null);
      }
    }
  }

  @Test
  void workerReady_dockerdStoppedThenStarted_503NamingDockerThen200() throws Exception {
    int port = ComponentProcess.freePort();
    try (PrivateDockerd dockerd = new PrivateDockerd()) {
      dockerd.start();
      try (ComponentProcess worker = ComponentProcess.blacktree(IDS.name("worker"), List.of("worker",
          "--port", Integer.toString(ComponentProcess.freePort()), "--workdir", dir.resolve("worker").toString(),
          "--docker-host", dockerd.host(), "--registry", "none", "--registry-url", endpoints.registryOpen(),
          "--metrics-port", Integer.toString(port)))) {
        awaitReady(worker, port, 200, null);
        dockerd.stop();
        awaitReady(worker, port, 503, "docker");
        dockerd.start();
        awaitReady(worker, port, 200, null);
      }
    }
  }

  /** Polls {@code /health/ready} until it answers {@code status} (with {@code naming} in its body). */
  private static void awaitReady(ComponentProcess process, int port, int status, String naming) throws Exception {
    List<String> seen = new ArrayList<>();
    process.await("/health/ready " + status, FLIP, () -> {
      try {
        HttpResponse<String> r = Scrape.get(port, "/health/ready");
        seen.add(r.statusCode() + " " + r.body().strip());
        return r.statusCode() == status && (naming == null || r.body().contains(naming));
      } catch (java.io.IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });
    if (status == 503) {
      assertThat(seen.get(seen.size() - 1)).contains("\"not ready\"").contains(naming);
    }
  }
}
