package io.blacktree.bridge;

import io.blacktree.core.Readiness;

/**
 * The bridge is ready while it consumes: its RabbitMQ channel is open and Temporal answered. Holding the queue
 * means Temporal does not answer; reconnecting means RabbitMQ does not.
 */
public final class BridgeReadiness implements Readiness {
  private final BridgeApp app;

  public BridgeReadiness(BridgeApp app) {
    this.app = app;
  }

  @Override
  public Status check() {
    return switch (app.state()) {
      case "CONSUMING" -> Status.ok();
      case "HOLDING" -> Status.failing("temporal: not answering (holding the build queue)");
      case "RECONNECTING" -> Status.failing("rabbitmq: no open consuming channel (reconnecting)");
      default -> Status.failing("bridge: " + app.state().toLowerCase(java.util.Locale.ROOT));
    };
  }
}
