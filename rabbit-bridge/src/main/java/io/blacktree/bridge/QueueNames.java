package io.blacktree.bridge;

import io.blacktree.core.Names;

/**
 * The RabbitMQ names the bridge uses: the build queue it consumes, the dead-letter queue it publishes
 * refused messages to, and the results exchange. Production uses {@link #defaults()}; tests use
 * {@link #withPrefix(String)} so each test class has its own queues on the shared broker.
 */
public record QueueNames(String buildQueue, String deadLetterQueue, String resultsExchange) {

  /** {@code jobs.build}, {@code jobs.build.dlq}, {@code jobs.results}. */
  public static QueueNames defaults() {
    return withPrefix("");
  }

  /** The default names with {@code prefix} in front of each. */
  public static QueueNames withPrefix(String prefix) {
    return new QueueNames(
        prefix + Names.BUILD_QUEUE, prefix + Names.DEAD_LETTER_QUEUE, prefix + Names.RESULTS_EXCHANGE);
  }
}
