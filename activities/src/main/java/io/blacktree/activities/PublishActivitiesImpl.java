package io.blacktree.activities;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.ReplyTarget;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Publishes with publisher confirms on a channel held by this call alone ({@link ConfirmChannels}: kept open
 * between calls, never shared while in use), {@code mandatory}, persistent, JSON, with the request's stable
 * message ID. An unroutable result (no
 * queue bound, a reply queue gone) is not retried: nobody is listening; {@link UnroutableNotice} says so once.
 * A broker that does not answer or nacks fails retryably (type {@code INTERNAL}).
 */
public final class PublishActivitiesImpl implements PublishActivities {
  private final String exchange;
  private final Duration confirmTimeout;
  private final ObjectMapper json = new ObjectMapper();
  private final UnroutableNotice unroutable = new UnroutableNotice();
  private final ConfirmChannels channels;

  /** @param exchange the results exchange, {@code jobs.results} by default (declared durable topic) */
  public PublishActivitiesImpl(Connection connection, String exchange, Duration confirmTimeout) {
    this.exchange = exchange;
    this.confirmTimeout = confirmTimeout;
    this.channels = new ConfirmChannels(connection, exchange, unroutable::returned);
  }

  @Override
  public void publish(PublishRequest request) {
    byte[] body = body(request);
    String routingKey = request.result().status().routingKey();
    Channel ch = null;
    boolean confirmed = false;
    try {
      ch = channels.take();
      ch.basicPublish(exchange, routingKey, true, props(request.messageId(), null, request.repo()), body);
      for (ReplyTarget t : request.replyTargets()) {
        if (t.replyTo() != null && !t.replyTo().isEmpty()) {
          ch.basicPublish("", t.replyTo(), true, props(request.messageId(), t.correlationId(), null), body);
        }
      }
      ch.waitForConfirmsOrDie(confirmTimeout.toMillis());
      confirmed = true;
    } catch (IOException | TimeoutException | ShutdownSignalException e) {
      throw ApplicationFailure.newFailure("broker unavailable: " + e.getMessage(), ErrorKind.INTERNAL.name());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while publishing", ErrorKind.INTERNAL.name());
    } finally {
      // a channel whose publishes were not all confirmed is never used again
      if (ch != null && confirmed) {
        channels.release(ch);
      } else if (ch != null) {
        channels.discard(ch);
      }
    }
  }

  private byte[] body(PublishRequest request) {
    try {
      return json.writeValueAsString(request.result()).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw ApplicationFailure.newNonRetryableFailure("result not serializable: " + e.getOriginalMessage(),
          ErrorKind.INTERNAL.name());
    }
  }

  private static AMQP.BasicProperties props(String messageId, String correlationId, String repo) {
    return new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .contentEncoding("utf-8")
        .deliveryMode(2)
        .messageId(messageId)
        .correlationId(correlationId)
        .type("blacktree.deploy.result")
        .headers(repo == null ? null : Map.of(LastHostFeed.REPO_HEADER, repo))
        .build();
  }
}
