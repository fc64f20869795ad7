package io.blacktree.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.time.Duration;
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

  private static GetResponse get(Channel ch) {
    try {
      return ch.basicGet(fx.names.buildQueue(), false);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
