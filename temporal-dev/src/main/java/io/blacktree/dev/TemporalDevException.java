package io.blacktree.dev;

/** A local Temporal server could not be found, started or prepared. */
public class TemporalDevException extends Exception {
  private static final long serialVersionUID = 1L;

  public TemporalDevException(String message) {
    super(message);
  }

  public TemporalDevException(String message, Throwable cause) {
    super(message, cause);
  }
}
