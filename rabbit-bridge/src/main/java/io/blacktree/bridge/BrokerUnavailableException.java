package io.blacktree.bridge;

/** RabbitMQ did not accept a connection (down, unreachable, or credentials refused). */
public class BrokerUnavailableException extends BrokerException {
  public BrokerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
