package io.blacktree.bridge;

import com.rabbitmq.client.AMQP;
import io.blacktree.core.ReplyTarget;
import java.util.Optional;

/**
 * One delivery from the build queue as the handler sees it: the body, the broker's {@code redelivered}
 * flag, and the original properties (kept whole so a dead-lettered copy carries them).
 */
record InboundMessage(byte[] body, boolean redelivered, AMQP.BasicProperties properties) {

  InboundMessage {
    properties = properties == null ? new AMQP.BasicProperties() : properties;
  }

  /** The requester's {@code reply_to} and {@code correlation_id}, when it set a {@code reply_to}. */
  Optional<ReplyTarget> replyTarget() {
    String replyTo = properties.getReplyTo();
    if (replyTo == null || replyTo.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(new ReplyTarget(replyTo, properties.getCorrelationId()));
  }
}
