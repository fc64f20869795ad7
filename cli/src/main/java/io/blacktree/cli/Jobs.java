package io.blacktree.cli;

import io.blacktree.workflow.api.DeployJobWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.History;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowStub;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Read access to jobs through Temporal's generic APIs (describe, history, the {@code progress} query). */
final class Jobs {
  static final long DEADLINE_SECONDS = 30;

  private final TemporalClients temporal;

  Jobs(TemporalClients temporal) {
    this.temporal = temporal;
  }

  TemporalClients temporal() {
    return temporal;
  }

  /** The latest run of {@code workflowId}, or empty when there is none. */
  Optional<DescribeWorkflowExecutionResponse> describe(String workflowId) {
    try {
      return Optional.of(temporal.service().blockingStub()
          .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(temporal.namespace())
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
              .build()));
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Like {@link #describe} but a missing job is bad input (exit 2). */
  DescribeWorkflowExecutionResponse require(String workflowId) throws CliException {
    return describe(workflowId)
        .orElseThrow(() -> CliException.badInput("no job with workflow ID " + workflowId));
  }

  /** The full history of the run. */
  History history(String workflowId, String runId) {
    return temporal.client().fetchHistory(workflowId, runId).getHistory();
  }

  /** The running job's progress, or empty when it has closed or does not answer. */
  Optional<DeployJobWorkflow.Progress> progress(String workflowId) {
    try {
      WorkflowStub stub = temporal.client().newUntypedWorkflowStub(workflowId);
      return Optional.ofNullable(stub.query("progress", DeployJobWorkflow.Progress.class));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** running, completed, failed, cancelled, terminated, timed_out, ... */
  static String statusName(WorkflowExecutionStatus status) {
    String name = status.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase(Locale.ROOT);
    return name.equals("canceled") ? "cancelled" : name;
  }
}
