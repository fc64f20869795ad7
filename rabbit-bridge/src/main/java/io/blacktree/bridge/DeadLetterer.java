package io.blacktree.bridge;

import com.rabbitmq.client.AMQP;
import io.blacktree.core.Names;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes a refused message to the dead-letter queue: the original body and properties (headers included),
 * persistent, plus {@link Names#DLQ_REASONS_HEADER} listing every reason ({@code field: reason}), and waits
 * for the broker's confirm. The caller acks the original only after this returned.
 */
final class DeadLetterer implements DeadLetterSink {
  /** Header naming the queue the message was taken from. */
  static final String ORIGINAL_QUEUE_HEADER = "x-blacktree-original-queue";

  private final PublishChannel channel;
  private final QueueNames names;

  DeadLetterer(PublishChannel channel, QueueNames names) {
    this.channel = channel;
    this.names = names;
  }

  @Override
  public void deadLetter(InboundMessage message, List<String> reasons) throws PublishFailedException {
    AMQP.BasicProperties original = message.properties();
    Map<String, Object> headers = new HashMap<>();
    if (original.getHeaders() != null) {
      headers.putAll(original.getHeaders());
    }
    headers.put(Names.DLQ_REASONS_HEADER, List.copyOf(reasons));
    headers.put(ORIGINAL_QUEUE_HEADER, names.buildQueue());
    AMQP.BasicProperties props = original.builder().headers(headers).deliveryMode(2).build();
    channel.publishConfirmed("", names.deadLetterQueue(), props, message.body());
  }
}
