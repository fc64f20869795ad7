package io.blacktree.workflow.api;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.DeployResult;
import io.blacktree.core.JobStep;
import io.blacktree.core.ReplyTarget;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One deploy job: dispatches the validated request to a free build worker, retries transient failures on
 * other workers, and publishes the result. Temporal's execution status is the job status: success returns
 * the {@link DeployResult}; a permanent failure or exhausted attempts fail with an
 * {@code ApplicationFailure} typed by {@code ErrorKind} whose details carry the result; a cancel ends it
 * CANCELLED.
 *
 * <p>Started with {@link DeployJobStart}: workflow ID {@code Names.workflowId(request)}, the deploy task queue
 * ({@code blacktree-deploy} by default), the job's search attributes and memo.
 */
@WorkflowInterface
public interface DeployJobWorkflow {

  @WorkflowMethod(name = "DeployJob")
  DeployResult run(DeployJobInput input);

  /** A step change of the running attempt, sent by the dispatch activity. */
  @SignalMethod
  void stepChanged(StepUpdate update);

  /** A duplicate request arrived while this job runs: send the result there too. */
  @SignalMethod
  void addReplyTarget(ReplyTarget target);

  /** Attempt, worker and step of the job now (attempt 0 before the first dispatch). */
  @QueryMethod
  Progress progress();

  /**
   * The workflow's input.
   *
   * @param request      the validated request, region filled in
   * @param replyTargets where the requester wants the result (may be empty)
   */
  record DeployJobInput(BuildRequest request, java.util.List<ReplyTarget> replyTargets) {}

  /** A step change; {@code step} is null when the sender named a step this version does not know. */
  record StepUpdate(int attempt, String worker, JobStep step) {}

  /** What the {@code progress} query answers. */
  record Progress(int attempt, String worker, JobStep step) {}
}
