package io.blacktree.cli;

import io.blacktree.core.DeployResult;
import io.blacktree.core.JobStatus;
import io.blacktree.core.JobStep;
import io.blacktree.workflow.api.DeployJobWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Follows a submitted job until it has a result: returns the reply on {@code reply_to} (which also carries a
 * rejection) the moment it arrives, or the closed workflow's result from history if no reply comes. Beside
 * that wait, a watcher thread prints each step change with the elapsed time (from the workflow's
 * {@code progress} query): its Temporal calls can be slow and never delay the reply. The final line (attempt,
 * outcome, worker, elapsed) comes from the result itself, so a job faster than the watcher's first look still
 * shows one. A Temporal service that does not answer for a while (a frontend or history process restarting)
 * is waited out, said once, until the timeout: the job goes on without us.
 */
final class JobFollower {
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration REPLY_GRACE = Duration.ofSeconds(15);

  private final RequestPublisher replies;
  private final Jobs jobs;
  private final PrintWriter progressOut;
  private final Duration timeout;
  private final AtomicReference<String> lastLine = new AtomicReference<>();

  JobFollower(RequestPublisher replies, Jobs jobs, PrintWriter progressOut, Duration timeout) {
    this.replies = replies;
    this.jobs = jobs;
    this.progressOut = progressOut;
    this.timeout = timeout;
  }

  DeployResult follow(String correlationId, String workflowId)
      throws IOException, InterruptedException, CliException {
    long start = System.nanoTime();
    DeployResult result = await(correlationId, workflowId, start);
    String last = finalLine(result);
    if (!last.equals(lastLine.get())) {
      print(start, last);
    }
    return result;
  }

  /** The last progress line, from the result: {@code attempt 1: done on HOST:PORT}, {@code rejected}, ... */
  static String finalLine(DeployResult result) {
    JobStatus status = result.status() == null ? JobStatus.FAILED : result.status();
    String outcome = switch (status) {
      case SUCCESS -> JobStep.DONE.value();
      case CANCELLED -> "cancelled";
      case REJECTED -> "rejected";
      case FAILED -> "failed" + (result.errorKind() == null ? "" : " (" + result.errorKind() + ")");
    };
    String line = result.attempts() > 0 ? "attempt " + result.attempts() + ": " + outcome : outcome;
    return result.worker() == null || result.worker().isBlank() ? line : line + " on " + result.worker();
  }

  private synchronized void print(long start, String line) {
    progressOut.printf("[%s] %s%n", Table.format(Duration.ofNanos(System.nanoTime() - start)), line);
    progressOut.flush();
    lastLine.set(line);
  }

  private DeployResult await(String correlationId, String workflowId, long start)
      throws IOException, InterruptedException, CliException {
    long deadline = start + timeout.toNanos();
    CompletableFuture<DeployResult> fromHistory = new CompletableFuture<>();
    AtomicReference<RuntimeException> watchFailure = new AtomicReference<>();
    Thread watcher = null;
    if (workflowId != null) {
      watcher = new Thread(() -> {
        try {
          watch(workflowId, start, deadline, fromHistory);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          watchFailure.set(e);
        }
      }, "blacktree-job-follower");
      watcher.setDaemon(true);
      watcher.start();
    }
    try {
      while (System.nanoTime() < deadline) {
        Optional<byte[]> reply = replies.awaitReply(correlationId, POLL);
        if (reply.isPresent()) {
          return RequestOptions.JSON.readValue(reply.get(), DeployResult.class);
        }
        if (fromHistory.isDone()) {
          return fromHistory.join();
        }
        if (watchFailure.get() != null) {
          throw watchFailure.get();
        }
      }
    } finally {
      if (watcher != null) {
        watcher.interrupt();
      }
    }
    throw new CliException(ExitCode.JOB_FAILED, "no result within " + timeout
        + (workflowId == null ? "" : "; the job may still run: blacktree jobs show " + workflowId));
  }

  /** Prints step changes; completes {@code fromHistory} when the workflow closed and no reply came in time. */
  private void watch(String workflowId, long start, long deadline, CompletableFuture<DeployResult> fromHistory)
      throws InterruptedException {
    long closedAt = 0;
    boolean saidUnavailable = false;
    while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
      Optional<DescribeWorkflowExecutionResponse> described;
      try {
        described = jobs.describe(workflowId);
      } catch (StatusRuntimeException e) {
        if (!isTransient(e)) {
          throw e;
        }
        if (!saidUnavailable) {
          progressOut.printf("[%s] Temporal unavailable (%s), still waiting%n",
              Table.format(Duration.ofNanos(System.nanoTime() - start)), e.getStatus().getCode());
          progressOut.flush();
          saidUnavailable = true;
        }
        Thread.sleep(POLL.toMillis());
        continue;
      }
      saidUnavailable = false;
      if (described.isPresent()) {
        WorkflowExecutionStatus status = described.get().getWorkflowExecutionInfo().getStatus();
        if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
          String line = jobs.progress(workflowId).map(JobFollower::describe).orElse(JobStep.QUEUED.value());
          if (!Objects.equals(line, lastLine.get()) && !Thread.currentThread().isInterrupted()) {
            print(start, line);
          }
        } else if (closedAt == 0) {
          closedAt = System.nanoTime();
        } else if (System.nanoTime() - closedAt > REPLY_GRACE.toNanos()) {
          String runId = described.get().getWorkflowExecutionInfo().getExecution().getRunId();
          Optional<DeployResult> result = new JobHistory(jobs.history(workflowId, runId)).result(workflowId);
          if (result.isPresent()) {
            fromHistory.complete(result.get());
            return;
          }
        }
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static boolean isTransient(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
        || code == Status.Code.RESOURCE_EXHAUSTED;
  }

  private static String describe(DeployJobWorkflow.Progress p) {
    return "attempt " + p.attempt() + ": " + (p.step() == null ? "?" : p.step().value()) + (p.worker() == null ? "" : " on " + p.worker());
  }
}
