package io.blacktree.workflows;

import com.uber.m3.util.ImmutableMap;
import io.blacktree.activities.AffinityActivities;
import io.blacktree.activities.AffinityRoute;
import io.blacktree.activities.DispatchActivities;
import io.blacktree.activities.DispatchOutcome;
import io.blacktree.activities.DispatchRequest;
import io.blacktree.core.Affinity;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.Names;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Sends one attempt's dispatch activity where it should run (docs/workflow.md, cache affinity). The first attempt
 * of a job is offered to the build host that last built its repository, on that host's own task queue with the
 * affinity wait as schedule-to-start; when the host does not take it in time (busy, or gone) it goes to the shared
 * queue, any free host, without counting an attempt. A dispatch that reached no worker (a shared-queue slot
 * granted to a poll just as the host's own queue took the worker) is sent again without counting an attempt too.
 * Workflow code: it keeps the affinity outcome of the run and counts it once in the workflow's metrics scope
 * ({@code blacktree_dispatch_affinity_total{outcome=hit|miss|none}}).
 */
final class Dispatcher {
  /** The {@code Workflow.getVersion} change ID of cache-affinity dispatch. */
  static final String CHANGE_ID = "cache-affinity";
  /** Re-dispatches of one attempt that reached no worker before such a dispatch counts as the attempt. */
  static final int MAX_UNCLAIMED_REDISPATCHES = 3;

  private static final Logger log = Workflow.getLogger(Dispatcher.class);

  private final DeployJobOptions options;
  private final ActivityOptions dispatchOptions;
  private final DispatchActivities shared;
  private final AffinityActivities affinity;
  private AffinityRoute route = AffinityRoute.none();
  private Affinity.Outcome outcome = Affinity.Outcome.NONE;

  Dispatcher(DeployJobOptions options) {
    this.options = options;
    this.dispatchOptions = ActivityOptions.newBuilder()
        .setTaskQueue(options.dispatchTaskQueue())
        .setScheduleToStartTimeout(options.queueTtl())
        .setStartToCloseTimeout(options.jobTimeLimit().plus(Duration.ofMinutes(1)))
        .setHeartbeatTimeout(options.heartbeatTimeout())
        .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
        .setRetryOptions(RetryOptions.newBuilder()
            .setMaximumAttempts(1)
            .setDoNotRetry(ErrorKind.nonRetryableTypes())
            .build())
        .build();
    this.shared = Workflow.newActivityStub(DispatchActivities.class, dispatchOptions);
    this.affinity = Workflow.newLocalActivityStub(AffinityActivities.class, LocalActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(10))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  /** The dispatch as every run recorded before cache affinity: the shared queue, once. */
  DispatchOutcome legacy(DispatchRequest request) {
    return shared.dispatch(request);
  }

  /**
   * Looks up the job's affinity host: the affinity wait of this orchestrator is recorded first (a side effect, so a
   * replay on an orchestrator configured otherwise decides the same), then, when it is not zero, the last host is
   * read by a local activity (recorded too); none when the lookup fails.
   */
  void route(String repo) {
    long waitMillis = Workflow.sideEffect(Long.class, () -> options.affinityWait().toMillis());
    if (waitMillis > 0) {
      try {
        String host = affinity.lastHost(repo);
        route = host == null ? AffinityRoute.none() : new AffinityRoute(host, waitMillis);
      } catch (ActivityFailure e) {
        log.warn("no affinity host: the lookup failed: {}", e.getMessage());
      }
    }
    if (!route.hasHost()) {
      count(Affinity.Outcome.NONE);
    }
  }

  /**
   * Runs {@code request}: on the affinity host first when {@code firstAttempt} and there is one, else (or when that
   * host did not take it) on the shared queue.
   *
   * @throws ActivityFailure the attempt ran and failed, or was cancelled
   */
  DispatchOutcome dispatch(DispatchRequest request, boolean firstAttempt) {
    if (firstAttempt && route.hasHost()) {
      Optional<DispatchOutcome> onHost = offerToHost(request);
      if (onHost.isPresent()) {
        return onHost.get();
      }
    }
    for (int resent = 0; ; resent++) {
      try {
        return shared.dispatch(request);
      } catch (ActivityFailure f) {
        if (resent >= MAX_UNCLAIMED_REDISPATCHES || !reachedNoWorker(f)
            || CancellationScope.current().isCancelRequested()) {
          throw f;
        }
        log.info("attempt {} reached no worker; sent to the shared queue again", request.attempt());
      }
    }
  }

  /** The run's affinity, the job having run on {@code host} (null when unknown). */
  Affinity affinity(String host) {
    return new Affinity(outcome, route.hasHost() ? route.host() : null, host);
  }

  private Optional<DispatchOutcome> offerToHost(DispatchRequest request) {
    DispatchActivities host = Workflow.newActivityStub(DispatchActivities.class,
        ActivityOptions.newBuilder(dispatchOptions)
            .setTaskQueue(Names.hostDispatchQueue(options.dispatchTaskQueue(), route.host()))
            .setScheduleToStartTimeout(Duration.ofMillis(route.waitMillis()))
            .build());
    try {
      DispatchOutcome ran = host.dispatch(request.onHost(route.waitMillis()));
      count(Affinity.Outcome.HIT);
      return Optional.of(ran);
    } catch (ActivityFailure f) {
      if (f.getCause() instanceof CanceledFailure || CancellationScope.current().isCancelRequested()) {
        throw f;
      }
      if (notStartedInTime(f) || reachedNoWorker(f)) {
        log.info("affinity host {} did not take the job within {} ms: any free host", route.host(),
            route.waitMillis());
        count(Affinity.Outcome.MISS);
        return Optional.empty();
      }
      count(Affinity.Outcome.HIT);
      throw f;
    }
  }

  private static boolean notStartedInTime(ActivityFailure f) {
    return f.getCause() instanceof TimeoutFailure t && t.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
  }

  /** The dispatch claimed no worker: it waited, nothing ran. */
  private static boolean reachedNoWorker(ActivityFailure f) {
    AttemptFailure failure = AttemptFailure.of(f);
    return failure.kind() == ErrorKind.WORKER_BUSY && failure.worker() == null;
  }

  private void count(Affinity.Outcome counted) {
    outcome = counted;
    Workflow.getMetricsScope().tagged(ImmutableMap.of("outcome", counted.value()))
        .counter("blacktree_dispatch_affinity").inc(1);
  }
}
