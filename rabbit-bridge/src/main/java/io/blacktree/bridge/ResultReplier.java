package io.blacktree.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import io.blacktree.core.DeployResult;
import io.blacktree.core.Names;
import io.blacktree.core.ReplyTarget;

/**
 * Sends {@link DeployResult} JSON to a requester's {@code reply_to} (default exchange, with its
 * {@code correlation_id}) and rejections to the results exchange as {@code deploy.rejected}, with a stable
 * {@code message_id} so a consumer can drop a repeated answer.
 */
final class ResultReplier implements ReplySink {
  private final PublishChannel channel;
  private final QueueNames names;
  private final ObjectMapper json = new ObjectMapper();

  ResultReplier(PublishChannel channel, QueueNames names) {
    this.channel = channel;
    this.names = names;
  }

  @Override
  public void reply(ReplyTarget target, DeployResult result, String messageId) throws PublishFailedException {
    AMQP.BasicProperties props = properties(messageId).builder().correlationId(target.correlationId()).build();
    channel.publishConfirmed("", target.replyTo(), props, toJson(result));
  }

  @Override
  public void publishRejected(DeployResult result, String messageId) throws PublishFailedException {
    String routingKey = Names.RESULT_ROUTING_PREFIX + "rejected";
    channel.publishConfirmed(names.resultsExchange(), routingKey, properties(messageId), toJson(result));
  }

  private static AMQP.BasicProperties properties(String messageId) {
    return new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .contentEncoding("utf-8")
        .deliveryMode(2)
        .messageId(messageId)
        .build();
  }

  private byte[] toJson(DeployResult result) {
    try {
      return json.writeValueAsBytes(result);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a DeployResult always serialises", e);
    }
  }
}
