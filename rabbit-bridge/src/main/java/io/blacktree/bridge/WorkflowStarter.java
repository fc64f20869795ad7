package io.blacktree.bridge;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ReplyTarget;
import io.blacktree.workflow.api.DeployJobStart;
import io.blacktree.workflow.api.DeployJobWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.List;
import java.util.Optional;

/**
 * Starts {@code DeployJob} with the start request of {@link DeployJobStart} (ID, reuse policy of the delivery,
 * search attributes and memo); joins duplicates to the existing workflow.
 */
final class WorkflowStarter implements JobStarter {
  private final WorkflowClient client;
  private final String taskQueue;
  private final FinishedResults finished;

  WorkflowStarter(WorkflowClient client, String taskQueue, FinishedResults finished) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.finished = finished;
  }

  @Override
  public Outcome start(BuildRequest request, ReplyTarget replyTarget, boolean redelivered) throws StartException {
    WorkflowOptions options = redelivered
        ? DeployJobStart.redeliveryOptions(request, taskQueue)
        : DeployJobStart.options(request, taskQueue);
    String workflowId = options.getWorkflowId();
    DeployJobWorkflow workflow = client.newWorkflowStub(DeployJobWorkflow.class, options);
    List<ReplyTarget> targets = replyTarget == null ? List.of() : List.of(replyTarget);
    try {
      WorkflowExecution execution =
          WorkflowClient.start(workflow::run, new DeployJobWorkflow.DeployJobInput(request, targets));
      return new Started(workflowId, execution.getRunId());
    } catch (WorkflowExecutionAlreadyStarted e) {
      return new Duplicate(workflowId);
    } catch (WorkflowException | io.grpc.StatusRuntimeException e) {
      throw TemporalErrors.classify("start of " + workflowId, e);
    }
  }

  @Override
  public Optional<DeployResult> join(String workflowId, ReplyTarget replyTarget) throws StartException {
    try {
      WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
      WorkflowExecutionStatus status = stub.describe().getStatus();
      if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        if (replyTarget == null) {
          return Optional.empty();
        }
        try {
          client.newWorkflowStub(DeployJobWorkflow.class, workflowId).addReplyTarget(replyTarget);
          return Optional.empty();
        } catch (WorkflowNotFoundException e) {
          // finished between describe and signal: answer with its result below
        }
      }
      return Optional.of(finished.resultOf(workflowId));
    } catch (WorkflowException | io.grpc.StatusRuntimeException e) {
      throw TemporalErrors.classify("joining " + workflowId, e);
    }
  }
}
