package io.blacktree.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Runs one attempt of a job on a free build worker of this orchestrator (task queue
 * {@code blacktree-dispatch}). The workflow calls it with {@code maximumAttempts = 1}, a heartbeat
 * timeout and {@code WAIT_CANCELLATION_COMPLETED}; it owns the retry loop.
 */
@ActivityInterface
public interface DispatchActivities {

  /**
   * Claims a free healthy worker, runs the job there (RunJob + WatchJob), heartbeats every interval with
   * {@link DispatchProgress}, and signals step changes to the workflow.
   *
   * @return the successful job
   * @throws io.temporal.failure.ApplicationFailure typed by {@code ErrorKind} name with a
   *     {@link DispatchFailure} as details; non-retryable for permanent and terminal kinds
   */
  @ActivityMethod(name = "Dispatch")
  DispatchOutcome dispatch(DispatchRequest request);
}
