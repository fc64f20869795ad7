package io.blacktree.bridge;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A channel in confirm mode for the bridge's own publishes (dead letters, replies), separate from the
 * consuming channel so a publish problem never takes the consumer down. Reopened when the broker closed it;
 * every publish waits for the broker's confirm.
 */
final class PublishChannel implements AutoCloseable {
  private final Connection connection;
  private final Duration confirmTimeout;
  private Channel channel;

  PublishChannel(Connection connection, Duration confirmTimeout) {
    this.connection = connection;
    this.confirmTimeout = confirmTimeout;
  }

  /** Publishes and waits for the confirm; a nack, a timeout or a closed channel is a failure. */
  synchronized void publishConfirmed(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body)
      throws PublishFailedException {
    try {
      Channel ch = open();
      ch.basicPublish(exchange, routingKey, false, props, body);
      ch.waitForConfirmsOrDie(confirmTimeout.toMillis());
    } catch (IOException | TimeoutException | ShutdownSignalException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      discard();
      throw new PublishFailedException(
          "publish to '" + exchange + "' key '" + routingKey + "' not confirmed: " + e.getMessage(), e);
    }
  }

  private Channel open() throws IOException {
    if (channel == null || !channel.isOpen()) {
      discard();
      channel = connection.createChannel();
      if (channel == null) {
        throw new IOException("no channel available on the connection");
      }
      channel.confirmSelect();
    }
    return channel;
  }

  private void discard() {
    if (channel != null) {
      try {
        channel.abort();
      } catch (IOException | RuntimeException e) {
        // already closed
      }
      channel = null;
    }
  }

  @Override
  public synchronized void close() {
    discard();
  }
}
