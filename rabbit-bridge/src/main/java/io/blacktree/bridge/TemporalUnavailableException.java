package io.blacktree.bridge;

/** Temporal did not answer (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED): hold and retry. */
public class TemporalUnavailableException extends StartException {
  public TemporalUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
