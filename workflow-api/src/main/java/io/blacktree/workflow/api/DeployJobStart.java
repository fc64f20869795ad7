package io.blacktree.workflow.api;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.Names;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowOptions;

/**
 * The start request of a {@code DeployJob}, made from the typed request in one place for every starter (the
 * bridge, and the tests that start the workflow themselves): workflow ID {@link Names#workflowId}, the deploy
 * task queue, the ID reuse policy of the delivery (docs/workflow.md, identity), and the search attributes and
 * memo of {@link JobTags}. The start request is the only place those values are set: the job is listed with
 * them in Temporal from the moment it exists, even while no orchestrator runs (docs/workflow.md, search
 * attributes and memo). No workflow timeouts: the workflow bounds its own time (docs/workflow.md, timeouts and bounds).
 */
public final class DeployJobStart {
  private DeployJobStart() {}

  /**
   * A request delivered for the first time: {@code ALLOW_DUPLICATE_FAILED_ONLY}, so a version whose run failed,
   * was cancelled, terminated or timed out runs again, and a successful one is a duplicate.
   */
  public static WorkflowOptions options(BuildRequest request, String taskQueue) {
    return options(request, taskQueue, WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY);
  }

  /** A redelivered request: {@code REJECT_DUPLICATE}, since any earlier run means the message was taken. */
  public static WorkflowOptions redeliveryOptions(BuildRequest request, String taskQueue) {
    return options(request, taskQueue, WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE);
  }

  private static WorkflowOptions options(BuildRequest request, String taskQueue, WorkflowIdReusePolicy reuse) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(Names.workflowId(request))
        .setTaskQueue(taskQueue)
        .setWorkflowIdReusePolicy(reuse)
        .setTypedSearchAttributes(JobTags.searchAttributes(request))
        .setMemo(JobTags.memo(request))
        .build();
  }
}
