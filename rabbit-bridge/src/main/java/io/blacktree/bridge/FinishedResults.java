package io.blacktree.bridge;

import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TimeoutFailure;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads the {@link DeployResult} of a closed {@code DeployJob}: its return value on success, the result carried
 * in the {@code ApplicationFailure} details on failure, or a result made from the failure when it carries none
 * (cancelled, terminated, timed out).
 */
final class FinishedResults {
  private final WorkflowClient client;
  private final Duration timeout;

  FinishedResults(WorkflowClient client, Duration timeout) {
    this.client = client;
    this.timeout = timeout;
  }

  DeployResult resultOf(String workflowId) throws StartException {
    try {
      return client.newUntypedWorkflowStub(workflowId)
          .getResult(timeout.toMillis(), TimeUnit.MILLISECONDS, DeployResult.class);
    } catch (WorkflowFailedException e) {
      return fromFailure(workflowId, e.getCause());
    } catch (TimeoutException e) {
      throw new TemporalUnavailableException("result of " + workflowId + " not read in " + timeout, e);
    }
  }

  static DeployResult fromFailure(String workflowId, Throwable cause) {
    if (cause instanceof ApplicationFailure af) {
      if (af.getDetails() != null && af.getDetails().getSize() > 0) {
        try {
          DeployResult carried = af.getDetails().get(DeployResult.class);
          if (carried != null) {
            return carried;
          }
        } catch (RuntimeException e) {
          // details of another shape: describe the failure instead
        }
      }
      return failed(workflowId, DeployResult.FAILED, kindOf(af.getType()), af.getOriginalMessage());
    }
    if (cause instanceof CanceledFailure) {
      return failed(workflowId, DeployResult.CANCELLED, ErrorKind.CANCELLED, "cancelled");
    }
    if (cause instanceof TimeoutFailure) {
      return failed(workflowId, DeployResult.FAILED, ErrorKind.TIMED_OUT, "workflow timed out");
    }
    String message = cause == null ? "failed" : cause.getMessage();
    return failed(workflowId, DeployResult.FAILED, ErrorKind.INTERNAL, message);
  }

  private static ErrorKind kindOf(String type) {
    try {
      return type == null ? ErrorKind.INTERNAL : ErrorKind.valueOf(type);
    } catch (IllegalArgumentException e) {
      return ErrorKind.INTERNAL;
    }
  }

  private static DeployResult failed(String workflowId, String status, ErrorKind kind, String message) {
    return new DeployResult(status, workflowId, null, null, null, null, null, null, 0, null, kind, message, null);
  }
}
