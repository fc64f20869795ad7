package io.blacktree.testsupport;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * RabbitMQ for one test class: a connection to the environment's broker (guest/guest), names under a
 * unique prefix, and cleanup that deletes every queue and exchange it declared or was told about.
 *
 * <pre>{@code
 * try (RabbitFixture rabbit = RabbitFixture.open(getClass())) {
 *   String queue = rabbit.declareQueue("jobs", Map.of());
 *   ...
 * }
 * }</pre>
 */
public final class RabbitFixture implements AutoCloseable {
  private final ServiceEndpoints endpoints;
  private final TestIds ids;
  private final Connection connection;
  private final Set<String> queues = new LinkedHashSet<>();
  private final Set<String> exchanges = new LinkedHashSet<>();

  private RabbitFixture(ServiceEndpoints endpoints, TestIds ids, Connection connection) {
    this.endpoints = endpoints;
    this.ids = ids;
    this.connection = connection;
  }

  /** Connects to the environment's broker with a fresh prefix named after {@code testClass}. */
  public static RabbitFixture open(Class<?> testClass) throws IOException, TimeoutException {
    ServiceEndpoints endpoints = ServiceEndpoints.fromEnvironment();
    TestIds ids = TestIds.forClass(testClass);
    ConnectionFactory factory = factory(endpoints);
    return new RabbitFixture(endpoints, ids, factory.newConnection(ids.prefix()));
  }

  /** A new factory for the broker (guest/guest, the environment's host and port), for code under test. */
  public ConnectionFactory connectionFactory() {
    return factory(endpoints);
  }

  /** {@code amqp://guest:guest@host:port} for components that take a URI. */
  public String uri() {
    return "amqp://guest:guest@" + endpoints.amqpHost() + ":" + endpoints.amqpPort();
  }

  /** The fixture's own connection. */
  public Connection connection() {
    return connection;
  }

  /** The per-class prefix, e.g. {@code bt-rabbitit-k3x9q2}. */
  public String prefix() {
    return ids.prefix();
  }

  /** {@code <prefix>.<suffix>}: a queue or exchange name owned by this test class. */
  public String name(String suffix) {
    return ids.prefix() + "." + suffix;
  }

  /** Declares a durable queue {@code name(suffix)} with the given arguments and remembers it. */
  public String declareQueue(String suffix, Map<String, Object> arguments) throws IOException {
    String queue = name(suffix);
    withChannel(ch -> ch.queueDeclare(queue, true, false, false, arguments));
    queues.add(queue);
    return queue;
  }

  /** Declares a durable exchange {@code name(suffix)} of {@code type} and remembers it. */
  public String declareExchange(String suffix, BuiltinExchangeType type) throws IOException {
    String exchange = name(suffix);
    withChannel(ch -> ch.exchangeDeclare(exchange, type, true));
    exchanges.add(exchange);
    return exchange;
  }

  /** Remembers a queue declared by the code under test so {@link #close()} deletes it. */
  public void trackQueue(String queue) {
    queues.add(queue);
  }

  /** Remembers an exchange declared by the code under test so {@link #close()} deletes it. */
  public void trackExchange(String exchange) {
    exchanges.add(exchange);
  }

  /** Deletes everything declared or tracked (each on a fresh channel, missing ones ignored), then disconnects. */
  @Override
  public void close() throws IOException {
    List<String> failures = new ArrayList<>();
    for (String queue : queues) {
      tryDelete(failures, "queue " + queue, ch -> ch.queueDelete(queue));
    }
    for (String exchange : exchanges) {
      tryDelete(failures, "exchange " + exchange, ch -> ch.exchangeDelete(exchange));
    }
    connection.close();
    if (!failures.isEmpty()) {
      throw new IOException("cleanup failed for " + failures);
    }
  }

  private interface ChannelAction {
    void run(Channel channel) throws IOException;
  }

  private void withChannel(ChannelAction action) throws IOException {
    try (Channel channel = connection.createChannel()) {
      action.run(channel);
    } catch (TimeoutException e) {
      throw new IOException("channel close timed out", e);
    }
  }

  private void tryDelete(List<String> failures, String what, ChannelAction action) {
    try {
      withChannel(action);
    } catch (IOException e) {
      // deleting a queue or exchange that is already gone is not an error in RabbitMQ; anything else is
      failures.add(what + ": " + e.getMessage());
    }
  }

  private static ConnectionFactory factory(ServiceEndpoints endpoints) {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(endpoints.amqpHost());
    factory.setPort(endpoints.amqpPort());
    factory.setUsername("guest");
    factory.setPassword("guest");
    factory.setConnectionTimeout(10_000);
    return factory;
  }
}
