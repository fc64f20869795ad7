package io.blacktree.bridge;

import com.rabbitmq.client.Connection;
import io.blacktree.core.RequestParser;
import io.blacktree.core.RequestValidator;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.time.Duration;

/**
 * The RabbitMQ bridge ({@code blacktree bridge}): takes build requests from {@code jobs.build}, dead-letters
 * the invalid ones with their reasons, starts a {@code DeployJob} workflow for each valid one (idempotently),
 * and holds the queue while Temporal is unreachable.
 *
 * <p>Build it with {@link #create}: it opens the AMQP connection, takes the Temporal client the entry point
 * built, and closes both on {@link #close()}. {@link #start()} declares the topology and starts consuming; it
 * returns at once.
 */
public final class BridgeApp implements AutoCloseable {

  private final BridgeConfig config;
  private final Connection connection;
  private final WorkflowClient client;
  private final Topology topology;
  private final PublishChannel publishChannel;
  private final BuildConsumer consumer;
  private final BridgeMetrics metrics;
  private final ConsumerLag lag;

  private BridgeApp(BridgeConfig config, Connection connection, WorkflowClient client, MeterRegistry registry,
      Tracer tracer) {
    this.config = config;
    this.connection = connection;
    this.client = client;
    this.metrics = new BridgeMetrics(registry);
    this.lag = new ConsumerLag(connection, config.queueNames().buildQueue(), Duration.ofSeconds(5), registry);
    this.topology = new Topology(config.queueNames(), config.deliveryLimit());
    this.publishChannel = new PublishChannel(connection, Duration.ofSeconds(10));
    RequestParser parser = new RequestParser(new RequestValidator(config.policy()));
    WorkflowStarter starter = new WorkflowStarter(client, config.taskQueue(),
        new FinishedResults(client, Duration.ofSeconds(10)));
    MessageHandler handler = new MessageHandler(parser, starter,
        new DeadLetterer(publishChannel, config.queueNames()),
        new ResultReplier(publishChannel, config.queueNames()), metrics,
        new MessageTracing(tracer, config.queueNames().buildQueue()));
    TemporalProbe probe = new TemporalProbe(client, config.rpcTimeout());
    this.consumer = new BuildConsumer(connection, topology, config.prefetch(), handler, probe::reachable,
        config.maxBackoff());
  }

  /**
   * A bridge that owns its clients: the AMQP connection it opens to {@code amqp} (automatic recovery on) and
   * {@code client}, built once by the entry point (TLS, API key, metrics, tracing are the caller's). Both are
   * closed by {@link #close()}. Temporal need not be up: the bridge waits for it before consuming; the
   * client's RPC timeout decides how fast an outage is noticed. {@code tracer} makes a span per build-queue
   * message ({@link MessageTracing}); the client's context propagators carry it into the workflow.
   *
   * @throws BrokerException RabbitMQ is unreachable or refused the credentials
   */
  public static BridgeApp create(BridgeConfig config, AmqpEndpoint amqp, WorkflowClient client,
      MeterRegistry registry, Tracer tracer) throws BrokerException {
    Connection connection = AmqpConnections.open(amqp, config.connectionName(), true);
    return new BridgeApp(config, connection, client, registry, tracer);
  }

  /** Declares the topology and starts consuming (after Temporal answered). Returns at once. */
  public void start() throws TopologyException {
    topology.declare(connection);
    consumer.start();
    lag.start();
  }

  public BridgeConfig config() {
    return config;
  }

  public BridgeMetrics metrics() {
    return metrics;
  }

  /** CONSUMING, HOLDING (waiting for Temporal), RECONNECTING (waiting for RabbitMQ), STARTING or CLOSED. */
  public String state() {
    return consumer.state().name();
  }

  BuildConsumer consumer() {
    return consumer;
  }

  @Override
  public void close() {
    lag.close();
    consumer.close();
    publishChannel.close();
    client.getWorkflowServiceStubs().shutdown();
    try {
      connection.close();
    } catch (IOException | RuntimeException e) {
      // already closed
    }
    client.getWorkflowServiceStubs().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
  }
}
