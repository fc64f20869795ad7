package io.blacktree.activities;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.SecretRedactor;
import io.temporal.activity.Activity;

/**
 * Dispatch through this orchestrator's {@link WorkerPool}. Step changes go to the workflow through a
 * {@link StepNotifier} (a signal in production); heartbeats carry {@link DispatchProgress}.
 */
public final class DispatchActivitiesImpl implements DispatchActivities {
  private final WorkerPool pool;
  private final StepNotifier notifier;
  private final DispatchSettings settings;
  private final SecretRedactor redactor;

  public DispatchActivitiesImpl(WorkerPool pool, StepNotifier notifier, DispatchSettings settings,
      SecretRedactor redactor) {
    this.pool = pool;
    this.notifier = notifier;
    this.settings = settings;
    this.redactor = redactor;
  }

  @Override
  public DispatchOutcome dispatch(DispatchRequest request) {
    var ctx = Activity.getExecutionContext();
    WorkerLease lease = pool.claim(request.jobId(), request.preferWorker(), request.avoidWorker())
        .orElseThrow(() -> new Failures(redactor).of(ErrorKind.WORKER_BUSY, null,
            "no free healthy build worker in this orchestrator's pool", ""));
    try (lease) {
      return new JobRun(lease, request, ctx, settings, notifier, redactor).run();
    }
  }
}
