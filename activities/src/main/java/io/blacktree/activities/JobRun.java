package io.blacktree.activities;

import io.blacktree.core.JobStep;
import com.google.common.util.concurrent.ListenableFuture;
import io.blacktree.core.BuildReuse;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.ImageAttestation;
import io.blacktree.core.LogBuffer;
import io.blacktree.core.SecretRedactor;
import io.blacktree.proto.worker.v1.CancelJobRequest;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.ReuseSummary;
import io.blacktree.proto.worker.v1.StepDuration;
import io.blacktree.proto.worker.v1.WatchJobRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCanceledException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one job on one claimed worker: RunJob (deadline = job time limit) with WatchJob beside it,
 * heartbeats every interval, step notices, re-attach by job ID after a lost connection, CancelJob on a
 * cancel, and the mapping of the worker's answer to an outcome or a typed failure.
 */
final class JobRun {
  private static final Logger log = LoggerFactory.getLogger(JobRun.class);
  private static final int HEARTBEAT_LINES = 20;

  private final WorkerLease lease;
  private final DispatchRequest request;
  private final ActivityExecutionContext ctx;
  private final DispatchSettings settings;
  private final String hostId;
  private final StepNotifier notifier;
  private final Failures failures;
  private final LogBuffer logs;
  private final Queue<JobStep> stepChanges = new ConcurrentLinkedQueue<>();
  private final long deadlineNanos;
  private volatile JobStep step = JobStep.QUEUED;
  private volatile long nextSequence;
  private volatile boolean watching;
  private volatile boolean finished;
  private ListenableFuture<JobResponse> call;

  JobRun(WorkerLease lease, DispatchRequest request, ActivityExecutionContext ctx, DispatchSettings settings,
      StepNotifier notifier, SecretRedactor redactor, String hostId) {
    this.lease = lease;
    this.hostId = hostId;
    this.request = request;
    this.ctx = ctx;
    this.settings = settings;
    this.notifier = notifier;
    this.failures = new Failures(redactor);
    this.logs = new LogBuffer(redactor);
    this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(request.timeLimitSeconds());
  }

  DispatchOutcome run() {
    // the claimed worker goes into the heartbeat details before the job starts there: an orchestrator lost
    // from now on is a heartbeat timeout whose details name the worker, so the next attempt re-attaches
    heartbeat();
    startRunJob();
    try {
      while (true) {
        ensureWatching();
        JobResponse response = poll();
        if (response != null) {
          // step changes not sent yet are dropped: the job is over and the workflow records its end from the
          // outcome; a signal now would only add a history write and a workflow task ahead of the result's
          lease.markAnswered();
          return toOutcome(response);
        }
        drainSteps();
        heartbeat();
      }
    } catch (ActivityCanceledException e) {
      cancelOnWorker();
      throw e;
    } finally {
      finished = true;
      if (call != null && !call.isDone()) {
        call.cancel(true);
      }
    }
  }

  private void startRunJob() {
    long remaining = Math.max(1, deadlineNanos - System.nanoTime());
    call = WorkerGrpc.newFutureStub(lease.channel())
        .withDeadlineAfter(remaining, TimeUnit.NANOSECONDS)
        .runJob(ProtoJobRequests.fromDispatch(request));
  }

  /** The response, or null while the job runs (waits up to one heartbeat interval). */
  private JobResponse poll() {
    try {
      return call.get(settings.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failures.of(ErrorKind.INTERNAL, lease.address(), "dispatch interrupted", logs.render());
    } catch (ExecutionException e) {
      Status status = Status.fromThrowable(e.getCause());
      String desc = status.getDescription() == null ? status.getCode().name() : status.getDescription();
      switch (status.getCode()) {
        case UNAVAILABLE, CANCELLED, UNKNOWN -> {
          reattach(desc);
          return null;
        }
        case DEADLINE_EXCEEDED -> throw failures.of(ErrorKind.TIMED_OUT, lease.address(),
            "job time limit of " + request.timeLimitSeconds() + " s reached", logs.render());
        case RESOURCE_EXHAUSTED -> throw failures.of(ErrorKind.WORKER_BUSY, lease.address(), desc, logs.render());
        case INVALID_ARGUMENT -> throw failures.of(ErrorKind.INVALID_REQUEST, lease.address(), desc, logs.render());
        default -> throw failures.of(ErrorKind.INTERNAL, lease.address(), status.getCode() + ": " + desc,
            logs.render());
      }
    }
  }

  /** The connection dropped: the worker keeps the job for a grace period; RunJob with the same ID re-attaches. */
  private void reattach(String why) {
    log.info("lost RunJob call of {} on {} ({}), re-attaching", request.jobId(), lease.address(), why);
    long until = System.nanoTime() + settings.reattachWindow().toNanos();
    while (System.nanoTime() < until) {
      heartbeat();
      if (reachable()) {
        watching = false;
        startRunJob();
        return;
      }
      sleep(settings.heartbeatInterval().toMillis());
    }
    lease.markUnhealthy();
    throw failures.of(ErrorKind.WORKER_LOST, lease.address(),
        "worker unreachable for " + settings.reattachWindow().toSeconds() + " s (" + why + ")", logs.render());
  }

  private boolean reachable() {
    try {
      status();
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  private WorkerStatus status() {
    return WorkerGrpc.newBlockingStub(lease.channel())
        .withDeadlineAfter(settings.callDeadline().toMillis(), TimeUnit.MILLISECONDS)
        .getStatus(GetStatusRequest.getDefaultInstance());
  }

  private void ensureWatching() {
    if (watching || finished) {
      return;
    }
    watching = true;
    long remaining = Math.max(1, deadlineNanos - System.nanoTime()) + TimeUnit.MINUTES.toNanos(1);
    WorkerGrpc.newStub(lease.channel())
        .withDeadlineAfter(remaining, TimeUnit.NANOSECONDS)
        .watchJob(WatchJobRequest.newBuilder().setJobId(request.jobId()).setFromSequence(nextSequence).build(),
            new Watcher());
  }

  /**
   * Signals the step changes seen since the last call. {@code done} is not signalled: the workflow sets it
   * itself when the dispatch returns, and a signal then would cost a blocking call and one more workflow task
   * between the worker's answer and the result.
   */
  private void drainSteps() {
    for (JobStep s = stepChanges.poll(); s != null; s = stepChanges.poll()) {
      if (s == JobStep.DONE) {
        continue;
      }
      notifier.stepChanged(request.workflowId(), request.runId(), request.attempt(), lease.address(), s);
    }
  }

  private void heartbeat() {
    ctx.heartbeat(new DispatchProgress(lease.address(), request.jobId(), step, logs.lastLines(HEARTBEAT_LINES),
        nextSequence));
  }

  private DispatchOutcome toOutcome(JobResponse r) {
    String text = r.getLogs().isEmpty() ? logs.render() : r.getLogs();
    String worker = lease.address();
    switch (r.getStatus()) {
      case SUCCESS -> {
        step = JobStep.DONE;
        Map<String, Long> millis = new LinkedHashMap<>();
        for (StepDuration d : r.getStepDurationsList()) {
          millis.put(Steps.durationKey(d.getStep()), d.getMillis());
        }
        return new DispatchOutcome(worker, r.getImageUrl(), r.getDigest(), r.getCommitSha(),
            r.getTagsList(), millis, failures.bound(text), reuse(r.getReuse()),
            r.hasAttestation() ? new ImageAttestation(r.getAttestation().getReference(), r.getAttestation().getDigest(),
                r.getAttestation().getSigned()) : null, hostId);
      }
      case FAILED -> throw failures.of(ErrorKind.parse(r.getErrorKind().name()), worker, r.getErrorMessage(), text);
      case CANCELLED -> throw failures.of(ErrorKind.CANCELLED, worker, "cancelled on the worker", text);
      default -> throw failures.of(ErrorKind.INTERNAL, worker, "worker answered status " + r.getStatus(), text);
    }
  }

  private static BuildReuse reuse(ReuseSummary r) {
    return new BuildReuse(r.getCachedBuildSteps(), r.getRemoteCachedBuildSteps(), r.getLayersAlreadyInRegistry(),
        r.getLayersPushed(), r.getMirrorHit(), r.getAlreadyPushed());
  }

  /** Stops the job on the worker and waits (bounded) until the worker no longer runs it. */
  private void cancelOnWorker() {
    long until = System.nanoTime() + settings.cancelWait().toNanos();
    try {
      WorkerGrpc.newBlockingStub(lease.channel())
          .withDeadlineAfter(settings.cancelWait().toMillis(), TimeUnit.MILLISECONDS)
          .cancelJob(CancelJobRequest.newBuilder().setJobId(request.jobId()).build());
    } catch (StatusRuntimeException e) {
      log.warn("CancelJob {} on {} failed: {}", request.jobId(), lease.address(), e.getStatus());
    }
    while (System.nanoTime() < until) {
      try {
        WorkerStatus st = status();
        if (st.getState() == WorkerState.FREE || !request.jobId().equals(st.getJobId())) {
          return;
        }
      } catch (StatusRuntimeException e) {
        return; // nothing more we can do for an unreachable worker
      }
      sleep(200);
    }
    log.warn("worker {} still runs cancelled job {} after {}", lease.address(), request.jobId(),
        settings.cancelWait());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Watcher implements StreamObserver<JobEvent> {
    @Override
    public void onNext(JobEvent e) {
      if (e.getSequence() > 0) {
        if (e.getSequence() < nextSequence) {
          return; // already seen before a resume
        }
        nextSequence = e.getSequence() + 1;
      }
      switch (e.getKindCase()) {
        case STEP_STARTED -> {
          JobStep s = Steps.of(e.getStepStarted().getStep());
          if (s != step) {
            step = s;
            stepChanges.add(s);
          }
        }
        case LOG -> logs.add(e.getLog().getLine());
        default -> { }
      }
    }

    @Override
    public void onError(Throwable t) {
      watching = false;
    }

    @Override
    public void onCompleted() {
      watching = false;
    }
  }
}
