package io.blacktree.cli;

import com.rabbitmq.client.Connection;
import io.blacktree.workflows.OrchestratorApp;
import io.blacktree.workflows.OrchestratorConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the orchestrator's clients once (Temporal stubs with the TLS/API-key flags, one gRPC channel per
 * build worker, one self-recovering AMQP connection) and starts an {@link OrchestratorApp} on them.
 */
final class Orchestrators {
  private Orchestrators() {}

  /**
   * Connects and starts; on failure closes what was opened.
   *
   * @throws CliException exit 3 when Temporal or RabbitMQ does not answer
   */
  static OrchestratorApp start(OrchestratorConfig config, TemporalOptions temporal, AmqpOptions amqp)
      throws CliException {
    TemporalClients clients = temporal.connect();
    List<ManagedChannel> channels = new ArrayList<>();
    Connection connection = null;
    try {
      connection = amqp.connectRecovering("blacktree-orchestrator");
      for (String address : config.workers()) {
        channels.add(NettyChannelBuilder.forTarget(address)
            .usePlaintext()
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(true)
            .build());
      }
      OrchestratorApp app = new OrchestratorApp(config, clients.service(), clients.client(), channels, connection);
      app.start();
      return app;
    } catch (CliException | RuntimeException e) {
      channels.forEach(ManagedChannel::shutdownNow);
      closeQuietly(connection);
      clients.close();
      throw e;
    }
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
