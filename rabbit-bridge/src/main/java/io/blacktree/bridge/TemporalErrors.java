package io.blacktree.bridge;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.errordetails.v1.NamespaceNotFoundFailure;
import io.temporal.serviceclient.StatusUtils;
import java.util.Set;

/**
 * Sorts Temporal client failures into "wait and retry" and "refused for good". Besides the transient status
 * codes, "namespace not found" is a wait: Temporal answers it while it cannot read its namespace registry (its
 * database restarting: a start made in that instant was dead-lettered in the cluster soak) as well as when the
 * namespace was never created. Neither is the message's fault; the bridge holds the queue, and its probe
 * (DescribeNamespace) resumes consuming once the namespace answers.
 */
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
    return status != null && (TRANSIENT.contains(status.getCode()) || namespaceNotFound(e));
  }

  private static boolean namespaceNotFound(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException sre) {
        return sre.getStatus().getCode() == Status.Code.NOT_FOUND
            && StatusUtils.hasFailure(sre, NamespaceNotFoundFailure.class);
      }
    }
    return false;
  }

  /** {@code what} failed with {@code e}: unavailable (hold) or refused (dead-letter). */
  static StartException classify(String what, Throwable e) {
    Status status = statusOf(e);
    if (isTransient(e)) {
      return new TemporalUnavailableException(what + ": " + status.getCode(), e);
    }
    String reason = status == null
        ? e.getClass().getSimpleName() + ": " + e.getMessage()
        : status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    return new StartRefusedException(what + " refused: " + reason, e);
  }
}
