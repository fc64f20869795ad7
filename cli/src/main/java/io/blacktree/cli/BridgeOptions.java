package io.blacktree.cli;

import io.blacktree.bridge.BridgeApp;
import io.blacktree.bridge.QueueNames;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The bridge's own flags, mapped onto {@link BridgeApp.Config}; the AMQP connection and the Temporal client
 * come from the shared mixins ({@link AmqpOptions}, {@link TemporalOptions}). An absent flag keeps the Config default.
 */
final class BridgeOptions {
  @Option(names = "--task-queue", description = "DeployJob's task queue (default blacktree-deploy).")
  String taskQueue;

  @Option(names = "--prefetch", description = "Unacked messages the broker may send ahead (default 10).")
  Integer prefetch;

  @Option(names = "--delivery-limit", description = "x-delivery-limit of the build queue (default 20).")
  Integer deliveryLimit;

  @Option(names = "--git-base-url", description = "Base URL of owner/name repos (default https://github.com/).")
  URI gitBaseUrl;

  @Option(names = "--git-allowed-hosts", split = ",", description = "Hosts a full https:// repo_url may name (default github.com).")
  List<String> gitAllowedHosts;

  @Option(names = "--allowed-accounts", split = ",", description = "AWS accounts allowed (default any).")
  List<String> allowedAccounts;

  @Option(names = "--default-region", description = "Region of a request without one (default us-east-1).")
  String defaultRegion;

  @Option(names = "--max-backoff", description = "Longest wait between Temporal probes (default PT30S).")
  Duration maxBackoff;

  @Option(names = "--rpc-timeout", description = "How long a start may retry before Temporal counts as down (default PT5S).")
  Duration rpcTimeout;

  BridgeApp.Config toConfig(AmqpOptions amqp, TemporalOptions temporal) {
    BridgeApp.Builder b = BridgeApp.Config.builder()
        .amqpUrl(amqp.url)
        .temporalTarget(temporal.target())
        .namespace(temporal.namespace())
        .queueNames(QueueNames.withPrefix(amqp.queuePrefix()));
    if (taskQueue != null) {
      b.taskQueue(taskQueue);
    }
    if (prefetch != null) {
      b.prefetch(prefetch);
    }
    if (deliveryLimit != null) {
      b.deliveryLimit(deliveryLimit);
    }
    if (gitBaseUrl != null) {
      b.gitBaseUrl(gitBaseUrl);
    }
    if (gitAllowedHosts != null) {
      b.allowedGitHosts(Set.copyOf(gitAllowedHosts));
    }
    if (allowedAccounts != null) {
      b.allowedAccounts(Set.copyOf(allowedAccounts));
    }
    if (defaultRegion != null) {
      b.defaultRegion(defaultRegion);
    }
    if (maxBackoff != null) {
      b.maxBackoff(maxBackoff);
    }
    if (rpcTimeout != null) {
      b.rpcTimeout(rpcTimeout);
    }
    return b.build();
  }
}
