package io.blacktree.bridge;

/** A RabbitMQ operation of the bridge failed. Subclasses name the condition. */
public class BrokerException extends Exception {
  public BrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
