package io.blacktree.cli;

import io.blacktree.bridge.BridgeConfig;
import io.blacktree.bridge.QueueNames;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The bridge's own flags: each sets the {@link BridgeConfig.Builder} method of its name; an absent flag keeps the
 * builder's default. The repo and account rules come from {@link PolicyOptions}, the AMQP connection and the
 * Temporal client from {@link AmqpOptions} and {@link TemporalOptions}.
 */
final class BridgeOptions {
  @Option(names = "--task-queue", description = "DeployJob's task queue (default blacktree-deploy).")
  String taskQueue;

  @Option(names = "--prefetch", description = "Unacked messages the broker may send ahead (default 10).")
  Integer prefetch;

  @Option(names = "--delivery-limit", description = "x-delivery-limit of the build queue (default 20).")
  Integer deliveryLimit;

  @Option(names = "--default-region", description = "Region of a request without one (default us-east-1).")
  String defaultRegion;

  @Option(names = "--max-backoff", description = "Longest wait between Temporal probes (default PT30S).")
  Duration maxBackoff;

  @Option(names = "--rpc-timeout", description = "How long a start may retry before Temporal counts as down (default PT5S).")
  Duration rpcTimeout;

  /**
   * The config: the defaults with the queue prefix, the policy and each given flag over them.
   *
   * @throws CliException exit 2 for a prefetch or delivery limit below 1
   */
  BridgeConfig toConfig(AmqpOptions amqp, PolicyOptions policy) throws CliException {
    BridgeConfig.Builder b = BridgeConfig.builder().queueNames(QueueNames.withPrefix(amqp.queuePrefix()));
    b.policy(policy.over(b.policy(), defaultRegion));
    Flags.set(taskQueue, b::taskQueue);
    Flags.set(prefetch, b::prefetch);
    Flags.set(deliveryLimit, b::deliveryLimit);
    Flags.set(maxBackoff, b::maxBackoff);
    Flags.set(rpcTimeout, b::rpcTimeout);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw CliException.badInput("invalid bridge options: " + e.getMessage());
    }
  }
}
