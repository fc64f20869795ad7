package io.blacktree.dev;

import io.grpc.Status;

/** The server does not know a namespace and refused to create it (Temporal Cloud, or a caller without the rights). */
public final class NamespaceRefusedException extends TemporalDevException {
  private static final long serialVersionUID = 1L;
  private final transient Status status;

  public NamespaceRefusedException(String namespace, Status status, Throwable cause) {
    super("namespace " + namespace + " does not exist and the server refused to create it (" + status.getCode()
        + (status.getDescription() == null ? "" : ": " + status.getDescription()) + ")", cause);
    this.status = status;
  }

  /** The server's answer to {@code RegisterNamespace}. */
  public Status status() {
    return status;
  }
}
