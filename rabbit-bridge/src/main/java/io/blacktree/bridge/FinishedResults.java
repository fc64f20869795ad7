package io.blacktree.bridge;

import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.JobStatus;
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
      return DeployResult.ofFailure(workflowId, carried(af), af.getType(), af.getOriginalMessage());
    }
    if (cause instanceof CanceledFailure) {
      return DeployResult.cancelled(workflowId);
    }
    if (cause instanceof TimeoutFailure) {
      return DeployResult.timedOut(workflowId);
    }
    String message = cause == null ? "failed" : cause.getMessage();
    return DeployResult.closed(JobStatus.FAILED, workflowId, ErrorKind.INTERNAL, message);
  }

  /** The result the failure's details carry, or null when they carry none (or something of another shape). */
  private static DeployResult carried(ApplicationFailure af) {
    if (af.getDetails() == null || af.getDetails().getSize() == 0) {
      return null;
    }
    try {
      return af.getDetails().get(DeployResult.class);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
