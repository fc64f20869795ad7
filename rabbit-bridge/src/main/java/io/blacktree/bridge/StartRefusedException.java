package io.blacktree.bridge;

/** Temporal answered and refused the start for a reason retrying cannot fix: the message is dead-lettered. */
public class StartRefusedException extends StartException {
  public StartRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
