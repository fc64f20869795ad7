package io.blacktree.bridge;

import io.blacktree.core.Names;
import io.blacktree.core.ValidationPolicy;
import java.time.Duration;

/**
 * The bridge's options, made by {@link #builder()}, which holds every default. The AMQP connection and the
 * Temporal client are the caller's (built once by the entry point), not part of this config.
 *
 * @param taskQueue       {@code --task-queue}: DeployJob's task queue
 * @param prefetch        {@code --prefetch}: unacked messages the broker may send ahead
 * @param deliveryLimit   {@code --delivery-limit}: the build queue's {@code x-delivery-limit}
 * @param queueNames      {@code --queue-prefix}: queue and exchange names
 * @param policy          {@code --git-base-url}, {@code --git-allowed-hosts}, {@code --allowed-accounts},
 *                        {@code --default-region}: the deployment's rules on requests
 * @param maxBackoff      {@code --max-backoff}: longest wait between Temporal probes or reconnects
 * @param rpcTimeout      {@code --rpc-timeout}: how long one start may keep retrying before Temporal counts
 *                        as unreachable
 * @param connectionName  the AMQP connection's name shown by RabbitMQ
 */
public record BridgeConfig(String taskQueue, int prefetch, int deliveryLimit, QueueNames queueNames,
    ValidationPolicy policy, Duration maxBackoff, Duration rpcTimeout, String connectionName) {

  public BridgeConfig {
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch must be >= 1, was " + prefetch);
    }
    if (deliveryLimit < 1) {
      throw new IllegalArgumentException("deliveryLimit must be >= 1, was " + deliveryLimit);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link BridgeConfig}; every option starts at its default, written here once. */
  public static final class Builder {
    private String taskQueue = Names.DEPLOY_TASK_QUEUE;
    private int prefetch = 10;
    private int deliveryLimit = Topology.DEFAULT_DELIVERY_LIMIT;
    private QueueNames queueNames = QueueNames.defaults();
    private ValidationPolicy policy = ValidationPolicy.defaults();
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration rpcTimeout = Duration.ofSeconds(5);
    private String connectionName = "blacktree-bridge";

    private Builder() {}

    public Builder taskQueue(String v) { taskQueue = v; return this; }
    public Builder prefetch(int v) { prefetch = v; return this; }
    public Builder deliveryLimit(int v) { deliveryLimit = v; return this; }
    public Builder queueNames(QueueNames v) { queueNames = v; return this; }
    public Builder policy(ValidationPolicy v) { policy = v; return this; }
    public Builder maxBackoff(Duration v) { maxBackoff = v; return this; }
    public Builder rpcTimeout(Duration v) { rpcTimeout = v; return this; }
    public Builder connectionName(String v) { connectionName = v; return this; }

    /** The validation policy so far, for a caller that changes part of it. */
    public ValidationPolicy policy() {
      return policy;
    }

    public BridgeConfig build() {
      return new BridgeConfig(taskQueue, prefetch, deliveryLimit, queueNames, policy, maxBackoff, rpcTimeout,
          connectionName);
    }
  }
}
