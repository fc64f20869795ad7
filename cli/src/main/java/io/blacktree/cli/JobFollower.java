package io.blacktree.cli;

import io.blacktree.core.DeployResult;
import io.blacktree.workflows.DeployJobWorkflow;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Follows a submitted job until it has a result: prints each step change with the elapsed time (from the
 * workflow's {@code progress} query), and returns the reply on {@code reply_to} (which also carries a
 * rejection), or the closed workflow's result from history if no reply comes.
 */
final class JobFollower {
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration REPLY_GRACE = Duration.ofSeconds(15);

  private final RequestPublisher replies;
  private final Jobs jobs;
  private final PrintWriter progressOut;
  private final Duration timeout;

  JobFollower(RequestPublisher replies, Jobs jobs, PrintWriter progressOut, Duration timeout) {
    this.replies = replies;
    this.jobs = jobs;
    this.progressOut = progressOut;
    this.timeout = timeout;
  }

  DeployResult follow(String correlationId, String workflowId)
      throws IOException, InterruptedException, CliException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long closedAt = 0;
    String lastLine = null;
    while (System.nanoTime() < deadline) {
      Optional<byte[]> reply = replies.pollReply(correlationId);
      if (reply.isPresent()) {
        return RequestOptions.JSON.readValue(reply.get(), DeployResult.class);
      }
      if (workflowId != null) {
        Optional<DescribeWorkflowExecutionResponse> described = jobs.describe(workflowId);
        if (described.isPresent()) {
          WorkflowExecutionStatus status = described.get().getWorkflowExecutionInfo().getStatus();
          if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
            String line = jobs.progress(workflowId).map(JobFollower::describe).orElse("queued");
            if (!Objects.equals(line, lastLine)) {
              progressOut.printf("[%s] %s%n", Table.format(Duration.ofNanos(System.nanoTime() - start)), line);
              progressOut.flush();
              lastLine = line;
            }
          } else if (closedAt == 0) {
            closedAt = System.nanoTime();
          } else if (System.nanoTime() - closedAt > REPLY_GRACE.toNanos()) {
            String runId = described.get().getWorkflowExecutionInfo().getExecution().getRunId();
            Optional<DeployResult> result = new JobHistory(jobs.history(workflowId, runId)).result(workflowId);
            if (result.isPresent()) {
              return result.get();
            }
          }
        }
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new CliException(ExitCode.JOB_FAILED, "no result within " + timeout
        + (workflowId == null ? "" : "; the job may still run: blacktree jobs show " + workflowId));
  }

  private static String describe(DeployJobWorkflow.Progress p) {
    return "attempt " + p.attempt() + ": " + p.step() + (p.worker() == null ? "" : " on " + p.worker());
  }
}
