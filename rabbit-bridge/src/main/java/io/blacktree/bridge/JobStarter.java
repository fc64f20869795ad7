package io.blacktree.bridge;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ReplyTarget;
import java.util.Optional;

/** Starts {@code DeployJob} workflows idempotently and joins requesters to existing ones. */
interface JobStarter {

  /** The outcome of a start: a new run, or an existing workflow with this ID. */
  sealed interface Outcome permits Started, Duplicate {
    String workflowId();
  }

  record Started(String workflowId, String runId) implements Outcome {}

  record Duplicate(String workflowId) implements Outcome {}

  /**
   * Starts the job for a validated request.
   *
   * @param replyTarget the requester's reply queue, or null
   * @param redelivered the broker's redelivered flag: decides the workflow-ID reuse policy
   */
  Outcome start(BuildRequest request, ReplyTarget replyTarget, boolean redelivered) throws StartException;

  /**
   * Joins a requester to an existing workflow: if it runs, the reply target is added to it (signal) and the
   * answer is empty; if it has finished, the answer is its result (success, failure or cancellation).
   */
  Optional<DeployResult> join(String workflowId, ReplyTarget replyTarget) throws StartException;
}
