package io.blacktree.bridge;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Set;

/** Sorts Temporal client failures into "wait and retry" and "refused for good". */
final class TemporalErrors {
  private static final Set<Status.Code> TRANSIENT = Set.of(
      Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED,
      Status.Code.ABORTED);

  private TemporalErrors() {}

  /** The gRPC status in {@code e}'s cause chain, or null. */
  static Status statusOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException sre) {
        return sre.getStatus();
      }
    }
    return null;
  }

  static boolean isTransient(Throwable e) {
    Status status = statusOf(e);
    return status != null && TRANSIENT.contains(status.getCode());
  }

  /** {@code what} failed with {@code e}: unavailable (hold) or refused (dead-letter). */
  static StartException classify(String what, Throwable e) {
    Status status = statusOf(e);
    if (status != null && TRANSIENT.contains(status.getCode())) {
      return new TemporalUnavailableException(what + ": " + status.getCode(), e);
    }
    String reason = status == null
        ? e.getClass().getSimpleName() + ": " + e.getMessage()
        : status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    return new StartRefusedException(what + " refused: " + reason, e);
  }
}
