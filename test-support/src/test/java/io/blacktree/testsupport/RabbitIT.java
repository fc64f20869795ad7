package io.blacktree.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.blacktree.testsupport.ServiceRequirement.Service;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RabbitIT {
  @BeforeAll
  static void services() {
    ServiceRequirement.require(Service.RABBITMQ);
  }

  @Test
  void publishAndConsume_throughPrefixedExchange_roundTripsBodyAndHeaders() throws Exception {
    String queue;
    try (RabbitFixture rabbit = RabbitFixture.open(RabbitIT.class)) {
      String exchange = rabbit.declareExchange("results", BuiltinExchangeType.TOPIC);
      queue = rabbit.declareQueue("inbox", Map.of("x-queue-type", "quorum", "x-delivery-limit", 5));
      try (Connection connection = rabbit.connectionFactory().newConnection(); Channel channel = connection.createChannel()) {
        channel.queueBind(queue, exchange, "deploy.*");
        channel.confirmSelect();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
            .contentType("application/json").headers(Map.of("x-test", rabbit.prefix())).build();
        channel.basicPublish(exchange, "deploy.succeeded", true, props,
            "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(10_000);

        GetResponse got = poll(channel, queue, Duration.ofSeconds(10));
        channel.basicAck(got.getEnvelope().getDeliveryTag(), false);

        assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
        assertThat(got.getEnvelope().getRoutingKey()).isEqualTo("deploy.succeeded");
        assertThat(got.getProps().getHeaders().get("x-test").toString()).isEqualTo(rabbit.prefix());
      }
    }
    // the fixture's cleanup deleted the queue it declared (a passive declare fails and closes the channel)
    try (RabbitFixture other = RabbitFixture.open(RabbitIT.class)) {
      Channel channel = other.connection().createChannel();
      assertThatThrownBy(() -> channel.queueDeclarePassive(queue)).hasStackTraceContaining("NOT_FOUND");
    }
  }

  private static GetResponse poll(Channel channel, String queue, Duration bound) throws Exception {
    Instant deadline = Instant.now().plus(bound);
    while (Instant.now().isBefore(deadline)) {
      GetResponse response = channel.basicGet(queue, false);
      if (response != null) {
        return response;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no message on " + queue + " within " + bound);
  }
}
