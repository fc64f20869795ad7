package io.blacktree.activities;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.SecretRedactor;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
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

  public DispatchActivitiesImpl(WorkerPool pool, StepNotifier notifier, DispatchSettings settings,
      SecretRedactor redactor) {
    this(pool, notifier, settings, redactor, DispatchObserver.NONE);
  }

  public DispatchActivitiesImpl(WorkerPool pool, StepNotifier notifier, DispatchSettings settings,
      SecretRedactor redactor, DispatchObserver observer) {
    this.pool = pool;
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
      WorkerLease lease = pool.claim(request.jobId(), request.preferWorker(), request.avoidWorker())
          .orElseThrow(() -> new Failures(redactor).of(ErrorKind.WORKER_BUSY, null,
              "no free healthy build worker in this orchestrator's pool", ""));
      worker = lease.address();
      MDC.put("worker", worker);
      try (lease) {
        DispatchOutcome result = new JobRun(lease, request, ctx, settings, notifier, redactor).run();
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
}
