package io.blacktree.activities;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.blacktree.core.DeployResult;
import io.blacktree.core.JobStatus;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link LastHosts} current from the fleet's successful results: a server-named, exclusive, auto-deleted
 * queue of this orchestrator's own bound to the results exchange with the success routing key. Each result names
 * the host its job ran on ({@code affinity.host}) and its message the repository (header {@link #REPO_HEADER},
 * set by {@link PublishActivitiesImpl}). A result without either is skipped. The queue is only a cache's feed:
 * losing it (a broker node gone) loses nothing but warmth; the connection's recovery declares it again.
 */
public final class LastHostFeed implements AutoCloseable {
  /** The message header that names a result's repository ({@code repo_url}, {@code owner/name}). */
  public static final String REPO_HEADER = "blacktree-repo";
  private static final Logger log = LoggerFactory.getLogger(LastHostFeed.class);

  private final Connection connection;
  private final String exchange;
  private final LastHosts hosts;
  private final ObjectMapper json = new ObjectMapper();
  private Channel channel;

  public LastHostFeed(Connection connection, String exchange, LastHosts hosts) {
    this.connection = connection;
    this.exchange = exchange;
    this.hosts = hosts;
  }

  /** Declares the feed's queue and starts consuming. */
  public void start() throws IOException {
    channel = connection.createChannel();
    channel.exchangeDeclare(exchange, "topic", true);
    String queue = channel.queueDeclare().getQueue();
    channel.queueBind(queue, exchange, JobStatus.SUCCESS.routingKey());
    channel.basicConsume(queue, true, (tag, delivery) -> apply(delivery), tag -> { });
  }

  private void apply(Delivery delivery) {
    Object repo = delivery.getProperties().getHeaders() == null ? null
        : delivery.getProperties().getHeaders().get(REPO_HEADER);
    if (repo == null) {
      return;
    }
    try {
      DeployResult result = json.readValue(delivery.getBody(), DeployResult.class);
      if (result.status() == JobStatus.SUCCESS && result.affinity() != null) {
        hosts.succeeded(repo.toString(), result.affinity().host());
      }
    } catch (IOException e) {
      log.debug("a result the last-host feed could not read: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    if (channel != null && channel.isOpen()) {
      try {
        channel.close();
      } catch (IOException | TimeoutException e) {
        log.debug("last-host feed channel not closed cleanly: {}", e.getMessage());
      }
    }
  }
}
