package io.blacktree.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes a build request the way the API does: persistent JSON on the build queue with a {@code reply_to}
 * (this requester's exclusive auto-delete queue) and a {@code correlation_id}, confirmed by the broker.
 */
final class RequestPublisher {
  private final Channel channel;
  private final String buildQueue;
  private final String replyQueue;
  private BlockingQueue<Delivery> replies;

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

  /**
   * Waits up to {@code wait} for the reply with {@code correlationId} (others are dropped). The first call
   * subscribes to the reply queue, so a reply is handed over the moment the broker delivers it.
   */
  Optional<byte[]> awaitReply(String correlationId, Duration wait) throws IOException, InterruptedException {
    synchronized (this) {
      if (replies == null) {
        replies = new LinkedBlockingQueue<>();
        BlockingQueue<Delivery> q = replies;
        channel.basicConsume(replyQueue, true, (tag, delivery) -> q.add(delivery), tag -> { });
      }
    }
    long until = System.nanoTime() + wait.toNanos();
    for (long left = wait.toNanos(); left > 0; left = until - System.nanoTime()) {
      Delivery d = replies.poll(left, TimeUnit.NANOSECONDS);
      if (d == null) {
        break;
      }
      if (correlationId.equals(d.getProperties().getCorrelationId())) {
        return Optional.of(d.getBody());
      }
    }
    return Optional.empty();
  }
}
