package io.blacktree.bridge;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Declares the bridge's RabbitMQ topology, idempotently (declaring again with the same arguments is a no-op):
 * <ul>
 *   <li>the build queue: durable quorum queue with an explicit {@code x-delivery-limit}; a message that
 *       exceeds it is dead-lettered by the broker to the DLQ (never silently dropped);</li>
 *   <li>the dead-letter queue: durable quorum queue (replicated like the build queue: a refused message is
 *       never held by one node only); a classic one left by an older release is migrated to quorum with its
 *       messages ({@link DeadLetterQueueMigration});</li>
 *   <li>the results exchange: durable topic exchange.</li>
 * </ul>
 * Used by the bridge at start and by {@code blacktree setup}.
 */
public final class Topology {
  /** The delivery limit when none is configured (RabbitMQ 4.x's default, set explicitly on 3.x). */
  public static final int DEFAULT_DELIVERY_LIMIT = 20;

  private final QueueNames names;
  private final int deliveryLimit;

  public Topology(QueueNames names, int deliveryLimit) {
    if (deliveryLimit < 1) {
      throw new IllegalArgumentException("deliveryLimit must be >= 1, was " + deliveryLimit);
    }
    this.names = names;
    this.deliveryLimit = deliveryLimit;
  }

  public QueueNames names() {
    return names;
  }

  /** Declares everything on a short-lived channel of {@code connection}. */
  public void declare(Connection connection) throws TopologyException {
    DeadLetterQueueMigration migration =
        new DeadLetterQueueMigration(connection, names.deadLetterQueue(), deadLetterQueueArguments());
    try {
      migration.finish();
      try (Channel channel = connection.createChannel()) {
        declareOn(channel);
        return;
      } catch (IOException e) {
        if (!reason(e).contains("inequivalent arg 'x-queue-type' for queue '" + names.deadLetterQueue() + "'")) {
          throw e;
        }
      }
      migration.migrate();
      try (Channel channel = connection.createChannel()) {
        declareOn(channel);
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      throw new TopologyException("declaring " + names + " failed: " + reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopologyException("declaring " + names + " interrupted", e);
    }
  }

  /** The broker's own words (e.g. PRECONDITION_FAILED - inequivalent arg) rather than a bare IOException. */
  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ShutdownSignalException s) {
        return s.getMessage();
      }
    }
    return e.toString();
  }

  /** Declares everything on {@code channel}; a mismatch closes the channel (PRECONDITION_FAILED). */
  void declareOn(Channel channel) throws IOException {
    channel.queueDeclare(names.deadLetterQueue(), true, false, false, deadLetterQueueArguments());
    channel.queueDeclare(names.buildQueue(), true, false, false, buildQueueArguments());
    channel.exchangeDeclare(names.resultsExchange(), BuiltinExchangeType.TOPIC, true);
  }

  Map<String, Object> deadLetterQueueArguments() {
    return Map.of("x-queue-type", "quorum");
  }

  Map<String, Object> buildQueueArguments() {
    return Map.of(
        "x-queue-type", "quorum",
        "x-delivery-limit", deliveryLimit,
        "x-dead-letter-exchange", "",
        "x-dead-letter-routing-key", names.deadLetterQueue());
  }
}
