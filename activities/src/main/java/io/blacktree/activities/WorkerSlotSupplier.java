package io.blacktree.activities;

import io.temporal.worker.tuning.ActivitySlotInfo;
import io.temporal.worker.tuning.SlotMarkUsedContext;
import io.temporal.worker.tuning.SlotPermit;
import io.temporal.worker.tuning.SlotReleaseContext;
import io.temporal.worker.tuning.SlotReserveContext;
import io.temporal.worker.tuning.SlotSupplier;
import io.temporal.worker.tuning.SlotSupplierFuture;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Activity slots for the dispatch task queue: a permit is out only while fewer permits are out than the
 * pool has healthy workers that are FREE or claimed by us ({@link WorkerPool#capacity()}). The poller
 * waits for a permit before it polls, so jobs wait in Temporal's task queue, visible as scheduled, and the
 * dispatch schedule-to-start timeout is the queue TTL.
 *
 * <p>Pitfalls handled: a permit held by an idle long poll is not taken back when a worker goes away (run
 * with one activity poller so the overshoot is at most one; the activity then fails {@code WORKER_BUSY});
 * the permit does not name a worker, so the activity claims one itself. {@link #tryReserveSlot} (eager
 * path) never blocks; disable eager execution anyway. Wire with a {@code CompositeTuner}, not together
 * with {@code setMaxConcurrentActivityExecutionSize}.
 */
public final class WorkerSlotSupplier implements SlotSupplier<ActivitySlotInfo> {
  private final WorkerPool pool;
  private final Deque<CompletableFuture<SlotPermit>> waiters = new ArrayDeque<>();
  private int outstanding;

  public WorkerSlotSupplier(WorkerPool pool) {
    this.pool = pool;
    pool.addListener(this::grant);
  }

  @Override
  public SlotSupplierFuture reserveSlot(SlotReserveContext<ActivitySlotInfo> ctx) {
    CompletableFuture<SlotPermit> waiter = new CompletableFuture<>();
    synchronized (this) {
      waiters.addLast(waiter);
    }
    grant();
    return SlotSupplierFuture.fromCompletableFuture(waiter, () -> abort(waiter));
  }

  @Override
  public Optional<SlotPermit> tryReserveSlot(SlotReserveContext<ActivitySlotInfo> ctx) {
    int capacity = pool.capacity();
    synchronized (this) {
      if (waiters.isEmpty() && outstanding < capacity) {
        outstanding++;
        return Optional.of(new SlotPermit());
      }
    }
    return Optional.empty();
  }

  @Override
  public void markSlotUsed(SlotMarkUsedContext<ActivitySlotInfo> ctx) {
    // the activity claims its worker itself
  }

  @Override
  public void releaseSlot(SlotReleaseContext<ActivitySlotInfo> ctx) {
    synchronized (this) {
      outstanding = Math.max(0, outstanding - 1);
    }
    grant();
  }

  @Override
  public Optional<Integer> getMaximumSlots() {
    return Optional.of(pool.size());
  }

  /** Permits out now (for tests and metrics). */
  public synchronized int outstanding() {
    return outstanding;
  }

  private void grant() {
    int capacity = pool.capacity();
    synchronized (this) {
      while (outstanding < capacity && !waiters.isEmpty()) {
        if (waiters.pollFirst().complete(new SlotPermit())) {
          outstanding++;
        }
      }
    }
  }

  private void abort(CompletableFuture<SlotPermit> waiter) {
    synchronized (this) {
      waiters.remove(waiter);
      // granted in the same instant the poller gave up: the SDK will not release it, so take it back
      if (waiter.isDone() && !waiter.isCancelled() && !waiter.isCompletedExceptionally()) {
        outstanding = Math.max(0, outstanding - 1);
      }
    }
    grant();
  }
}
