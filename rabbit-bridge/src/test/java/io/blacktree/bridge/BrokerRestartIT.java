package io.blacktree.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.testsupport.PrivateRabbit;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.fault.FaultProxy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporal unreachable for ~10 s and RabbitMQ restarted while 20 requests flow: 20 workflows, none lost.
 * Runs against a RabbitMQ node of its own so the shared broker is never restarted.
 */
class BrokerRestartIT {
  private static final Duration WITHIN = Duration.ofSeconds(90);
  private static final Duration TEMPORAL_OUTAGE = Duration.ofSeconds(10);
  @TempDir Path dir;
  private PrivateRabbit rabbit;
  private BridgeFixture fx;
  private FaultProxy proxy;
  private BridgeApp bridge;

  @AfterEach
  void cleanUp() throws Exception {
    if (bridge != null) {
      bridge.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (fx != null) {
      fx.close();
    }
    if (rabbit != null) {
      rabbit.close();
    }
  }

  @Test
  void temporalDownAndBrokerRestarted_twentyRequests_twentyWorkflowsNoneLost() throws Exception {
    ServiceRequirement.require(ServiceRequirement.Service.TEMPORAL);
    rabbit = new PrivateRabbit(dir.resolve("rabbit"));
    rabbit.start();
    fx = new BridgeFixture(rabbit.url());
    proxy = FaultProxy.start("127.0.0.1", 7233);
    bridge = fx.bridge(fx.config().prefetch(5).build(), "127.0.0.1:" + proxy.port());
    bridge.start();
    BridgeFixture.await("bridge consuming", WITHIN, () -> bridge.state().equals("CONSUMING"));
    String account = BridgeFixture.randomAccount();
    List<String> ids = IntStream.range(0, 20)
        .mapToObj(i -> "deploy:" + account + ":us-east-1:app-images:flow-" + i).toList();

    publish(account, 0, 5);
    BridgeFixture.await("first five started", WITHIN,
        () -> ids.subList(0, 5).stream().allMatch(id -> fx.describe(id).isPresent()));

    proxy.drop(Duration.ofHours(1));
    long outageEnds = System.nanoTime() + TEMPORAL_OUTAGE.toNanos();
    publish(account, 5, 10);
    BridgeFixture.await("bridge holding", WITHIN, () -> bridge.state().equals("HOLDING"));
    rabbit.restart();
    fx.connect();
    publish(account, 10, 15);
    while (System.nanoTime() < outageEnds) {
      assertThat(ids.subList(5, 15)).allSatisfy(id -> assertThat(fx.describe(id)).as(id).isEmpty());
      Thread.sleep(500);
    }
    proxy.pass();
    publish(account, 15, 20);

    BridgeFixture.await("all 20 workflows", WITHIN, () -> ids.stream().allMatch(id -> fx.describe(id).isPresent()));
    BridgeFixture.await("build queue drained", WITHIN, () -> ready() == 0);
    assertThat(fx.ready(fx.names.deadLetterQueue())).isZero();
    assertThat(fx.countRuns("BlacktreeAccount = '" + account + "'", 20, WITHIN)).isEqualTo(20);
    assertThat(bridge.metrics().started() + bridge.metrics().duplicate()).isGreaterThanOrEqualTo(20.0);
    assertThat(bridge.state()).isEqualTo("CONSUMING");
  }

  private void publish(String account, int from, int to) throws IOException {
    for (int i = from; i < to; i++) {
      fx.publish("{\"repo_url\": \"username/reponame\", \"branch\": \"main\", \"deployment_version\": \"flow-" + i
          + "\", \"aws_account\": \"" + account + "\", \"ecr_repo\": \"app-images\"}", null, "flow-" + i);
    }
  }

  private long ready() {
    try {
      return fx.ready(fx.names.buildQueue());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
