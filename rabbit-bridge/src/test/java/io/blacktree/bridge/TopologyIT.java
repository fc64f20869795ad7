package io.blacktree.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.blacktree.core.Names;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The topology on the real broker: idempotent, and the explicit delivery limit dead-letters instead of dropping. */
class TopologyIT {
  private static BridgeFixture fx;

  @BeforeAll
  static void setUp() throws Exception {
    fx = new BridgeFixture();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void declare_twiceWithSameLimit_succeedsAndDifferentLimitIsRefused() throws Exception {
    Topology topology = new Topology(fx.names, 2);

    topology.declare(fx.amqp);
    topology.declare(fx.amqp);

    assertThat(fx.ready(fx.names.buildQueue())).isZero();
    assertThatThrownBy(() -> new Topology(fx.names, 7).declare(fx.amqp))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("PRECONDITION_FAILED");
  }

  @Test
  void deliveryLimit_exceeded_messageLandsInDeadLetterQueue() throws Exception {
    new Topology(fx.names, 2).declare(fx.amqp);
    fx.publish("{\"poison\": true}", null, "poison");

    try (Channel ch = fx.amqp.createChannel()) {
      for (int i = 0; i < 3; i++) {
        GetResponse r = BridgeFixture.await("delivery " + (i + 1), Duration.ofSeconds(30), () -> get(ch));
        ch.basicNack(r.getEnvelope().getDeliveryTag(), false, true);
      }
    }

    GetResponse dead = fx.take(fx.names.deadLetterQueue(), Duration.ofSeconds(30));
    assertThat(dead.getProps().getCorrelationId()).isEqualTo("poison");
    assertThat(fx.ready(fx.names.buildQueue())).isZero();
  }

  @Test
  void declare_classicDeadLetterQueueFromAnOlderRelease_becomesQuorumKeepingItsMessages() throws Exception {
    BridgeFixture own = new BridgeFixture();
    try {
      String dlq = own.names.deadLetterQueue();
      try (Channel ch = own.amqp.createChannel()) {
        ch.queueDeclare(dlq, true, false, false, Map.of());
        ch.confirmSelect();
        for (int i = 0; i < 3; i++) {
          AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().correlationId("refused-" + i)
              .headers(Map.of(Names.DLQ_REASONS_HEADER, List.of("repo_url: missing"))).deliveryMode(2).build();
          ch.basicPublish("", dlq, props, ("{\"n\": " + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(10_000);
      }

      new Topology(own.names, 2).declare(own.amqp);

      try (Channel ch = own.amqp.createChannel()) {
        // declaring it as quorum again is accepted only if it now is one
        ch.queueDeclare(dlq, true, false, false, Map.of("x-queue-type", "quorum"));
      }
      assertThat(own.ready(dlq)).isEqualTo(3);
      GetResponse first = own.take(dlq, Duration.ofSeconds(10));
      assertThat(first.getProps().getCorrelationId()).isEqualTo("refused-0");
      assertThat(first.getProps().getHeaders().get(Names.DLQ_REASONS_HEADER).toString()).contains("repo_url: missing");
      assertThat(new String(first.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"n\": 0}");
      assertThatThrownBy(() -> own.ready(dlq + ".migrating")).hasStackTraceContaining("NOT_FOUND");
    } finally {
      own.close();
    }
  }

  private static GetResponse get(Channel ch) {
    try {
      return ch.basicGet(fx.names.buildQueue(), false);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
