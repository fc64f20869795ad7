package io.blacktree.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * Publishes a build request the way the API does: persistent JSON on the build queue with a {@code reply_to}
 * (this requester's exclusive auto-delete queue) and a {@code correlation_id}, confirmed by the broker.
 */
final class RequestPublisher {
  private final Channel channel;
  private final String buildQueue;
  private final String replyQueue;

  /** Declares the reply queue on {@code channel}; it lives as long as the channel's connection. */
  RequestPublisher(Channel channel, String buildQueue) throws IOException {
    this.channel = channel;
    this.buildQueue = buildQueue;
    this.replyQueue = channel.queueDeclare("", false, true, true, null).getQueue();
    channel.confirmSelect();
  }

  String replyQueue() {
    return replyQueue;
  }

  /**
   * Publishes {@code body} and waits for the broker's confirm.
   *
   * @return the correlation ID the reply will carry
   */
  String publish(byte[] body) throws IOException, InterruptedException, TimeoutException {
    String correlationId = UUID.randomUUID().toString();
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .contentEncoding(StandardCharsets.UTF_8.name())
        .deliveryMode(2)
        .messageId(UUID.randomUUID().toString())
        .correlationId(correlationId)
        .replyTo(replyQueue)
        .timestamp(new java.util.Date())
        .build();
    channel.basicPublish("", buildQueue, true, properties, body);
    channel.waitForConfirmsOrDie(Duration.ofSeconds(30).toMillis());
    return correlationId;
  }

  /** The next reply with {@code correlationId}, if one has arrived (others are dropped). */
  Optional<byte[]> pollReply(String correlationId) throws IOException {
    GetResponse response;
    while ((response = channel.basicGet(replyQueue, true)) != null) {
      if (correlationId.equals(response.getProps().getCorrelationId())) {
        return Optional.of(response.getBody());
      }
    }
    return Optional.empty();
  }
}
