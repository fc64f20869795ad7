package io.blacktree.activities;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.SecretRedactor;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.MDC;

/**
 * Dispatch through this orchestrator's {@link WorkerPool}. Step changes go to the workflow through a
 * {@link StepNotifier} (a signal in production); heartbeats carry {@link DispatchProgress}. The
 * {@link DispatchObserver} sees each attempt's queue wait and end; lines logged during a dispatch carry the MDC
 * fields {@code workflow_id}, {@code job_id}, {@code attempt} and (once claimed) {@code worker}.
 */
public final class DispatchActivitiesImpl implements DispatchActivities {
  private final WorkerPool pool;
  private final StepNotifier notifier;
  private final DispatchSettings settings;
  private final SecretRedactor redactor;
  private final DispatchObserver observer;
  private final String hostId;

  /** {@code hostId}: this build host's identity ({@code --host-id}), reported in every outcome. */
  public DispatchActivitiesImpl(WorkerPool pool, StepNotifier notifier, DispatchSettings settings,
      SecretRedactor redactor, DispatchObserver observer, String hostId) {
    this.pool = pool;
    this.hostId = hostId;
    this.notifier = notifier;
    this.settings = settings;
    this.redactor = redactor;
    this.observer = observer;
  }

  @Override
  public DispatchOutcome dispatch(DispatchRequest request) {
    var ctx = Activity.getExecutionContext();
    long started = System.currentTimeMillis();
    MDC.put("workflow_id", request.workflowId());
    MDC.put("job_id", request.jobId());
    MDC.put("attempt", Integer.toString(request.attempt()));
    String worker = null;
    String outcome = "failure";
    String kind = ErrorKind.INTERNAL.name();
    try {
      observer.attemptStarted(request,
          Duration.ofMillis(started - ctx.getInfo().getCurrentAttemptScheduledTimestamp()));
      WorkerLease lease = claim(request, ctx).orElseThrow(() -> new Failures(redactor).of(ErrorKind.WORKER_BUSY,
          null, request.hostWaitMillis() > 0
              ? "no build worker of host " + hostId + " came free within the affinity wait"
              : "no free healthy build worker in this orchestrator's pool", ""));
      worker = lease.address();
      MDC.put("worker", worker);
      try (lease) {
        DispatchOutcome result = new JobRun(lease, request, ctx, settings, notifier, redactor, hostId).run();
        outcome = "success";
        kind = "none";
        return result;
      }
    } catch (ApplicationFailure f) {
      kind = f.getType();
      outcome = ErrorKind.CANCELLED.name().equals(kind) ? "cancelled" : "failure";
      throw f;
    } finally {
      observer.attemptFinished(request, new DispatchObserver.AttemptEnd(outcome, kind, worker,
          Duration.ofMillis(System.currentTimeMillis() - started)));
      MDC.remove("workflow_id");
      MDC.remove("job_id");
      MDC.remove("attempt");
      MDC.remove("worker");
    }
  }

  /**
   * A free worker now (shared queue), or, for a dispatch offered to this host's own queue, the first to come free
   * before its affinity wait (counted from when it was scheduled) runs out, heartbeating meanwhile.
   */
  private Optional<WorkerLease> claim(DispatchRequest request, ActivityExecutionContext ctx) {
    if (request.hostWaitMillis() <= 0) {
      return pool.claim(request.jobId(), request.preferWorker(), request.avoidWorker());
    }
    long waitedMillis = System.currentTimeMillis() - ctx.getInfo().getCurrentAttemptScheduledTimestamp();
    Duration left = Duration.ofMillis(Math.max(0, request.hostWaitMillis() - waitedMillis));
    return pool.claimWaiting(request.jobId(), request.preferWorker(), request.avoidWorker(), left,
        settings.heartbeatInterval(), () -> ctx.heartbeat(null));
  }
}
