package io.blacktree.e2e.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.blacktree.core.Names;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link FaultStack}'s AMQP connection: an exclusive queue bound to the stack's results exchange collects
 * every result message by workflow ID. Closing it deletes the stack's build queue, dead-letter queue and results
 * exchange.
 */
final class ResultListener implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String queuePrefix;
  private final Map<String, List<JsonNode>> results = new ConcurrentHashMap<>();
  private final Connection amqp;

  private ResultListener(String queuePrefix, Connection amqp) {
    this.queuePrefix = queuePrefix;
    this.amqp = amqp;
  }

  /** Connects to {@code amqpUrl} and listens on the results exchange under {@code queuePrefix}. */
  static ResultListener start(String amqpUrl, String queuePrefix, String connectionName) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(amqpUrl);
    ResultListener listener = new ResultListener(queuePrefix, factory.newConnection(connectionName));
    try {
      listener.listen();
    } catch (Exception | Error e) {
      listener.close();
      throw e;
    }
    return listener;
  }

  private void listen() throws Exception {
    Channel channel = amqp.createChannel();
    String queue = channel.queueDeclare("", false, true, true, null).getQueue();
    channel.queueBind(queue, queuePrefix + Names.RESULTS_EXCHANGE, "#");
    channel.basicConsume(queue, true, (tag, delivery) -> {
      JsonNode body = JSON.readTree(delivery.getBody());
      results.computeIfAbsent(body.path("workflow_id").asText(""),
          k -> Collections.synchronizedList(new ArrayList<>())).add(body);
    }, tag -> { });
  }

  /** The result messages received for {@code workflowId} so far, in arrival order (a live view, maybe empty). */
  List<JsonNode> messages(String workflowId) {
    return results.getOrDefault(workflowId, List.of());
  }

  @Override
  public void close() {
    try {
      if (amqp.isOpen()) {
        try (Channel ch = amqp.createChannel()) {
          ch.queueDelete(queuePrefix + Names.BUILD_QUEUE);
          ch.queueDelete(queuePrefix + Names.DEAD_LETTER_QUEUE);
          ch.exchangeDelete(queuePrefix + Names.RESULTS_EXCHANGE);
        }
        amqp.close();
      }
    } catch (Exception e) {
      // the broker drops the exclusive queue with the connection
    }
  }
}
