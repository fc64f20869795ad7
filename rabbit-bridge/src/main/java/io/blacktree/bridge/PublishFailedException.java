package io.blacktree.bridge;

/** A publish was not confirmed by the broker (nacked, timed out, or the channel closed). */
public class PublishFailedException extends BrokerException {
  public PublishFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
