package io.blacktree.worker.provenance;

/** A registry call of {@link AttestationStore} failed; the subclass names the condition. */
public abstract class RegistryException extends Exception {
  private RegistryException(String message) {
    super(message);
  }

  /** No answer: connection refused, timeout, DNS, TLS. */
  public static final class Unreachable extends RegistryException {
    Unreachable(String message) {
      super(message);
    }
  }

  /** HTTP 401 or 403: the credentials are missing or not allowed to do this. */
  public static final class Denied extends RegistryException {
    Denied(String message) {
      super(message);
    }
  }

  /** Any other unexpected answer (5xx, a malformed manifest). */
  public static final class Failed extends RegistryException {
    Failed(String message) {
      super(message);
    }
  }
}
