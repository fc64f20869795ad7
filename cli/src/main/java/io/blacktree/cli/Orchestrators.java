package io.blacktree.cli;

import com.rabbitmq.client.Connection;
import io.blacktree.workflows.OrchestratorApp;
import io.blacktree.workflows.OrchestratorConfig;
import io.blacktree.activities.WorkerChannels;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the orchestrator's clients once (Temporal stubs with the TLS/API-key flags, one gRPC channel per
 * build worker with the worker link's TLS/mTLS and token, one self-recovering AMQP connection with the AMQP TLS
 * and password flags) and starts an {@link OrchestratorApp} on them. Public for the bench's orchestrator child,
 * which builds its clients the same way.
 */
public final class Orchestrators {
  private Orchestrators() {}

  /**
   * Connects and starts with {@code extras} on the Temporal clients (metrics scope, tracing) and the dispatch
   * metrics in {@code metrics} (null: none); on failure closes what was opened.
   *
   * @throws CliException exit 3 when Temporal or RabbitMQ does not answer; exit 2 when a worker address is
   *                      refused by the link settings ({@link WorkerChannels#dialRefusal})
   */
  public   static OrchestratorApp start(OrchestratorConfig config, TemporalOptions temporal, AmqpOptions amqp,
      TemporalExtras extras, MeterRegistry metrics) throws CliException {
    WorkerChannels links = workerChannels(config);
    TemporalClients clients = temporal.connectWaiting(extras, Duration.ofSeconds(60));
    List<ManagedChannel> channels = new ArrayList<>();
    Connection connection = null;
    try {
      connection = amqp.connectRecovering("blacktree-orchestrator");
      for (String address : config.workers()) {
        channels.add(links.open(address));
      }
      OrchestratorApp app = new OrchestratorApp(config, clients.service(), clients.client(), channels, connection,
          metrics, clients.extras().workerInterceptors());
      app.start();
      return app;
    } catch (CliException | RuntimeException e) {
      channels.forEach(ManagedChannel::shutdownNow);
      closeQuietly(connection);
      clients.close();
      throw e;
    }
  }

  /** The channels' settings, with every owned worker address checked against them (exit 2 when refused). */
  private static WorkerChannels workerChannels(OrchestratorConfig config) throws CliException {
    WorkerChannels links;
    try {
      links = new WorkerChannels(config.workerLink(), System.getenv());
    } catch (IOException e) {
      throw CliException.badInput("worker link: " + e.getMessage());
    }
    for (String address : config.workers()) {
      Optional<String> refusal = links.dialRefusal(address);
      if (refusal.isPresent()) {
        throw CliException.badInput(refusal.get());
      }
    }
    return links;
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null && connection.isOpen()) {
      try {
        connection.close();
      } catch (Exception ignored) {
        // already failing: the original error is the one to report
      }
    }
  }
}
