package io.blacktree.bridge;

/**
 * The queues or exchange could not be declared, e.g. an existing {@code jobs.build} was declared with other
 * arguments (PRECONDITION_FAILED) or the broker is unreachable.
 */
public class TopologyException extends BrokerException {
  public TopologyException(String message, Throwable cause) {
    super(message, cause);
  }
}
