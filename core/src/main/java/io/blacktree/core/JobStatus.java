package io.blacktree.core;

import java.util.Locale;

/**
 * How a job ended, as {@link DeployResult#status()} says it in results, replies and workflow payloads
 * (docs/queues.md, results). The wire value is the name.
 */
public enum JobStatus {
  SUCCESS,
  FAILED,
  CANCELLED,
  /** The request was refused at the intake and dead-lettered; no workflow ran. */
  REJECTED;

  /** The routing key of this outcome on the results exchange: {@code deploy.success}, ... */
  public String routingKey() {
    return Names.RESULT_ROUTING_PREFIX + name().toLowerCase(Locale.ROOT);
  }
}
