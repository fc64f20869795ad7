package io.blacktree.e2e.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.blacktree.core.Names;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The soak's side of its private RabbitMQ (one node, or the nodes of a cluster: it connects to the first that
 * answers): publishes requests (persistent, confirmed, reconnecting and publishing again while a broker
 * restarts), collects every result message through a durable queue of its own bound to {@code jobs.results}
 * (so results published while it reconnects wait there; on a cluster a quorum queue, so a node's loss loses no
 * result), and reads the dead-letter queue at the end.
 */
final class SoakBroker implements AutoCloseable {
  static final String SOAK_ID_HEADER = "x-soak-id";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A result message as received, with when it arrived (ms since the run's start). */
  record Received(String workflowId, String messageId, String status, String errorKind, long atMillis) {}

  private final String url;
  private final List<Address> addresses;
  private final boolean quorum;
  private final String prefix;
  private final Instant t0;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private Connection publishConnection;
  private Channel publishChannel;
  private volatile boolean collecting = true;
  private Thread collector;
  private int publishRetries;

  /**
   * @param urls   the broker's AMQP URLs, comma-separated (same user and password on each)
   * @param quorum declare the results queue as a quorum queue (on a cluster)
   */
  SoakBroker(String urls, String prefix, boolean quorum, Instant t0) {
    this.url = urls.split(",")[0].trim();
    this.addresses = Arrays.stream(urls.split(",")).map(u -> {
      URI uri = URI.create(u.trim());
      return new Address(uri.getHost(), uri.getPort());
    }).toList();
    this.quorum = quorum;
    this.prefix = prefix;
    this.t0 = t0;
  }

  String buildQueue() {
    return prefix + Names.BUILD_QUEUE;
  }

  String resultsQueue() {
    return prefix + "soak.results";
  }

  String deadLetterQueue() {
    return prefix + Names.DEAD_LETTER_QUEUE;
  }

  private Connection connect(String name) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(url);
    factory.setAutomaticRecoveryEnabled(false);
    factory.setConnectionTimeout(5000);
    return factory.newConnection(addresses, name);
  }

  // ---- publishing

  /** Publishes {@code body} on the build queue with {@code soakId} in its headers; retries for up to 5 min. */
  void publish(String soakId, byte[] body) throws InterruptedException {
    Instant end = Instant.now().plus(Duration.ofMinutes(5));
    while (true) {
      try {
        if (publishChannel == null || !publishChannel.isOpen()) {
          publishConnection = connect("soak-publisher");
          publishChannel = publishConnection.createChannel();
          publishChannel.confirmSelect();
        }
        publishChannel.basicPublish("", buildQueue(), true, new AMQP.BasicProperties.Builder()
            .contentType("application/json").deliveryMode(2).messageId(UUID.randomUUID().toString())
            .headers(Map.of(SOAK_ID_HEADER, soakId)).build(), body);
        publishChannel.waitForConfirmsOrDie(10_000);
        return;
      } catch (Exception e) {
        if (Instant.now().isAfter(end)) {
          throw new IllegalStateException("request " + soakId + " not confirmed within 5 min", e);
        }
        publishRetries++;
        abortPublisher();
        Thread.sleep(500);
      }
    }
  }

  /** How many publishes were tried again (broker away or confirm lost): each may have left a second copy. */
  int publishRetries() {
    return publishRetries;
  }

  private void abortPublisher() {
    try {
      if (publishConnection != null) {
        publishConnection.abort();
      }
    } catch (RuntimeException e) {
      // gone already
    }
    publishConnection = null;
    publishChannel = null;
  }

  // ---- results

  void startCollecting() throws Exception {
    try (Connection c = connect("soak-setup"); Channel ch = c.createChannel()) {
      ch.queueDeclare(resultsQueue(), true, false, false, quorum ? Map.of("x-queue-type", "quorum") : null);
      ch.queueBind(resultsQueue(), prefix + Names.RESULTS_EXCHANGE, "#");
    }
    collector = new Thread(this::collect, "soak-results");
    collector.setDaemon(true);
    collector.start();
  }

  private void collect() {
    while (collecting) {
      try (Connection c = connect("soak-results")) {
        Channel ch = c.createChannel();
        ch.basicQos(100);
        ch.basicConsume(resultsQueue(), false, (tag, d) -> {
          JsonNode body = JSON.readTree(d.getBody());
          received.add(new Received(body.path("workflow_id").asText(""), d.getProperties().getMessageId(),
              body.path("status").asText(""), body.path("error_kind").asText(""),
              Duration.between(t0, Instant.now()).toMillis()));
          ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        while (collecting && c.isOpen() && ch.isOpen()) {
          Thread.sleep(200);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // broker restarting: connect again
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  void stopCollecting() throws InterruptedException {
    collecting = false;
    if (collector != null) {
      collector.join(10_000);
    }
  }

  // ---- the end

  /** Messages (ready, plus unacked ones a closed consumer gave back) in {@code queue}; -1 if it is unknown. */
  long depth(String queue) {
    try (Connection c = connect("soak-depth"); Channel ch = c.createChannel()) {
      return ch.queueDeclarePassive(queue).getMessageCount();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Drains the dead-letter queue: the reasons of each message, by its soak ID ("?" when it has none). */
  Map<String, List<List<String>>> drainDeadLetters() throws Exception {
    Map<String, List<List<String>>> out = new HashMap<>();
    try (Connection c = connect("soak-dlq"); Channel ch = c.createChannel()) {
      GetResponse r;
      while ((r = ch.basicGet(deadLetterQueue(), true)) != null) {
        Map<String, Object> headers = r.getProps().getHeaders() == null ? Map.of() : r.getProps().getHeaders();
        Object id = headers.get(SOAK_ID_HEADER);
        List<String> reasons = new ArrayList<>();
        if (headers.get(Names.DLQ_REASONS_HEADER) instanceof List<?> list) {
          list.forEach(o -> reasons.add(String.valueOf(o)));
        }
        out.computeIfAbsent(id == null ? "?" : id.toString(), k -> new ArrayList<>()).add(reasons);
      }
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    stopCollecting();
    abortPublisher();
  }
}
