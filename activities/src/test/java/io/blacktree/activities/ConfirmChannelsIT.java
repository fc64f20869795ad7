package io.blacktree.activities;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.blacktree.testsupport.ServiceRequirement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real RabbitMQ on 127.0.0.1:5672: channels are reused while clean and replaced once broken. */
class ConfirmChannelsIT {
  private final String exchange = "it-confirm-" + UUID.randomUUID().toString().substring(0, 8) + ".results";
  private Connection connection;

  @BeforeEach
  void setUp() throws Exception {
    ServiceRequirement.require(ServiceRequirement.Service.RABBITMQ);
    ConnectionFactory cf = new ConnectionFactory();
    cf.setUri(System.getenv().getOrDefault("BLACKTREE_AMQP", "amqp://guest:guest@127.0.0.1:5672"));
    connection = cf.newConnection();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (connection != null) {
      try (Channel ch = connection.createChannel()) {
        ch.exchangeDelete(exchange);
      }
      connection.close();
    }
  }

  @Test
  void take_afterRelease_returnsTheSameOpenChannelInConfirmMode() throws Exception {
    ConfirmChannels channels = new ConfirmChannels(connection, exchange, returned -> { });
    Channel first = channels.take();
    first.basicPublish(exchange, "deploy.success", false, null, new byte[] {1});
    first.waitForConfirmsOrDie(5_000);
    channels.release(first);

    Channel second = channels.take();

    assertThat(second).isSameAs(first);
    assertThat(second.isOpen()).isTrue();
    assertThat(second.getNextPublishSeqNo()).as("confirm mode kept: the next sequence follows the first publish")
        .isEqualTo(2);
  }

  @Test
  void take_afterTheBrokerClosedAReleasedChannel_opensAFreshOne() throws Exception {
    ConfirmChannels channels = new ConfirmChannels(connection, exchange, returned -> { });
    Channel broken = channels.take();
    channels.release(broken);
    try {
      broken.exchangeDeclare(exchange, "fanout", true); // a type mismatch: the broker closes the channel
    } catch (java.io.IOException expected) {
      // PRECONDITION_FAILED
    }
    assertThat(broken.isOpen()).isFalse();

    Channel fresh = channels.take();

    assertThat(fresh).isNotSameAs(broken);
    assertThat(fresh.isOpen()).isTrue();
    fresh.basicPublish(exchange, "deploy.success", false, null, new byte[] {1});
    fresh.waitForConfirmsOrDie(5_000);
  }
}
