package io.blacktree.worker;

import io.blacktree.proto.worker.v1.JobRequest;

/** The workflow ID a job belongs to: the request's {@code workflow_id}, else derived from {@code job_id}. */
final class WorkflowIds {
  private WorkflowIds() {}

  /**
   * {@code workflow_id} when set; otherwise {@code job_id} without its last two segments
   * ({@code <workflowId>/<runId>/<attempt>}), or the whole {@code job_id} when it has fewer.
   */
  static String of(JobRequest req) {
    if (!req.getWorkflowId().isEmpty()) {
      return req.getWorkflowId();
    }
    String id = req.getJobId();
    int last = id.lastIndexOf('/');
    int prev = last > 0 ? id.lastIndexOf('/', last - 1) : -1;
    return prev > 0 ? id.substring(0, prev) : id;
  }
}
