package io.blacktree.activities;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The orchestrator's dispatch metrics (Prometheus names): {@code blacktree_orchestrator_attempts_total{outcome,
 * error_kind}}, {@code blacktree_orchestrator_attempt_duration_seconds{outcome}},
 * {@code blacktree_orchestrator_queue_wait_seconds} (scheduled until a free build worker took the attempt),
 * and the gauges {@code blacktree_orchestrator_workers{state=free|busy|unhealthy}} and
 * {@code blacktree_orchestrator_affinity_waiting} (dispatches offered to this build host that wait for one of its
 * workers) over the {@link WorkerPool}.
 */
public final class DispatchMetrics implements DispatchObserver {
  private final MeterRegistry registry;
  private final Timer queueWait;

  public DispatchMetrics(MeterRegistry registry, WorkerPool pool) {
    this.registry = registry;
    this.queueWait = Timer.builder("blacktree.orchestrator.queue.wait")
        .description("time a dispatch waited in the task queue for a free build worker")
        .publishPercentileHistogram().register(registry);
    for (WorkerPool.State state : WorkerPool.State.values()) {
      Gauge.builder("blacktree.orchestrator.workers", pool, p -> p.count(state))
          .description("this orchestrator's build workers by state")
          .tag("state", state.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
    }
    Gauge.builder("blacktree.orchestrator.affinity.waiting", pool, WorkerPool::hostWaiters)
        .description("dispatches offered to this build host (cache affinity) waiting for one of its workers")
        .register(registry);
  }

  @Override
  public void attemptStarted(DispatchRequest request, Duration wait) {
    queueWait.record(wait.isNegative() ? Duration.ZERO : wait);
  }

  @Override
  public void attemptFinished(DispatchRequest request, AttemptEnd end) {
    Counter.builder("blacktree.orchestrator.attempts").description("dispatch attempts by how they ended")
        .tag("outcome", end.outcome()).tag("error_kind", end.errorKind()).register(registry).increment();
    Timer.builder("blacktree.orchestrator.attempt.duration").description("wall time of one dispatch attempt")
        .tag("outcome", end.outcome()).publishPercentileHistogram().register(registry).record(end.duration());
  }
}
