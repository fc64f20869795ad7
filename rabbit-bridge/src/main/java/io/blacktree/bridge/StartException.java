package io.blacktree.bridge;

/** Starting (or joining) a {@code DeployJob} workflow failed. Subclasses name the condition. */
public class StartException extends Exception {
  public StartException(String message, Throwable cause) {
    super(message, cause);
  }
}
