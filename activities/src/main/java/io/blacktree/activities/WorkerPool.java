package io.blacktree.activities;

import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The build workers this orchestrator owns ({@code host:port} each, a channel each), their health and
 * which of them a dispatch has claimed. A worker is healthy when its gRPC health answers SERVING (or is not
 * implemented) and {@code GetStatus} answers, checked every {@code checkInterval} and right after a claim
 * is released.
 *
 * <p>{@link #capacity()} counts the healthy workers that are FREE or claimed by a shared-queue dispatch: the
 * activity slots the {@link WorkerSlotSupplier} may have out at once. A dispatch offered to this build host's own
 * queue (cache affinity, {@link #claimWaiting}) goes first: while it waits, the free worker it will take is not
 * offered to the shared queue, and the worker it claims holds no shared slot.
 */
public final class WorkerPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

  /** A worker's address and the channel to it (built once by the app, closed by the app). */
  public record WorkerEndpoint(String address, ManagedChannel channel) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Duration checkInterval;
  private final Duration callDeadline;
  private final ScheduledExecutorService checker;
  private int hostWaiters;

  public WorkerPool(List<WorkerEndpoint> endpoints, Duration checkInterval, Duration callDeadline) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one build worker is needed");
    }
    endpoints.forEach(e -> entries.put(e.address(), new Entry(e)));
    this.checkInterval = checkInterval;
    this.callDeadline = callDeadline;
    this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "blacktree-worker-health");
      t.setDaemon(true);
      return t;
    });
  }

  /** Checks every worker now, then every {@code checkInterval}. */
  public void start() {
    checkAll();
    checker.scheduleWithFixedDelay(this::checkAll, checkInterval.toMillis(), checkInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Runs {@code listener} whenever capacity may have changed. */
  public void addListener(Runnable listener) {
    listeners.add(listener);
  }

  public int size() {
    return entries.size();
  }

  /** A worker as the pool sees it: free to claim, busy (claimed or running), or failing its health check. */
  public enum State { FREE, BUSY, UNHEALTHY }

  /** How many workers are in {@code state} now. */
  public synchronized int count(State state) {
    int n = 0;
    for (Entry e : entries.values()) {
      State s = !e.healthy ? State.UNHEALTHY
          : e.claimedBy == null && e.state == WorkerState.FREE ? State.FREE : State.BUSY;
      if (s == state) {
        n++;
      }
    }
    return n;
  }

  /**
   * Healthy workers claimed by a shared-queue dispatch, plus the FREE ones that no dispatch waiting on this host's
   * own queue will take.
   */
  public synchronized int capacity() {
    int claimed = 0;
    int free = 0;
    for (Entry e : entries.values()) {
      if (e.healthy && e.claimedBy != null && !e.claimedFromHostQueue) {
        claimed++;
      } else if (e.healthy && e.claimedBy == null && e.state == WorkerState.FREE) {
        free++;
      }
    }
    return claimed + Math.max(0, free - hostWaiters);
  }

  /**
   * Claims a healthy worker that is FREE, or BUSY with this very {@code jobId} (a re-attach). Order:
   * {@code prefer}, then any but {@code avoid}, then {@code avoid} itself (better than waiting).
   */
  public synchronized Optional<WorkerLease> claim(String jobId, String prefer, String avoid) {
    return take(jobId, prefer, avoid, false);
  }

  /**
   * Claims as {@link #claim} for a dispatch from this build host's own queue, waiting up to {@code wait} for a
   * worker to come free, ahead of the shared queue. {@code whileWaiting} runs about every {@code tick} (the
   * activity heartbeats there, and a cancel surfaces as its exception).
   *
   * @return the lease, or empty when no worker came free in time
   */
  public Optional<WorkerLease> claimWaiting(String jobId, String prefer, String avoid, Duration wait, Duration tick,
      Runnable whileWaiting) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (this) {
      hostWaiters++;
    }
    try {
      while (true) {
        synchronized (this) {
          Optional<WorkerLease> lease = take(jobId, prefer, avoid, true);
          long left = deadline - System.nanoTime();
          if (lease.isPresent() || left <= 0) {
            return lease;
          }
          wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), tick.toMillis())));
        }
        whileWaiting.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      synchronized (this) {
        hostWaiters--;
      }
      fire();
    }
  }

  /** Dispatches from this host's own queue (cache affinity) waiting for a worker now. */
  public synchronized int hostWaiters() {
    return hostWaiters;
  }

  private Optional<WorkerLease> take(String jobId, String prefer, String avoid, boolean fromHostQueue) {
    List<Entry> order = new ArrayList<>();
    if (prefer != null && entries.containsKey(prefer)) {
      order.add(entries.get(prefer));
    }
    entries.values().stream().filter(e -> !e.endpoint.address().equals(avoid)).forEach(order::add);
    if (avoid != null && entries.containsKey(avoid)) {
      order.add(entries.get(avoid));
    }
    for (Entry e : order) {
      boolean usable = e.state == WorkerState.FREE || jobId.equals(e.runningJob);
      if (e.healthy && e.claimedBy == null && usable) {
        e.claimedBy = jobId;
        e.claimedFromHostQueue = fromHostQueue;
        return Optional.of(new WorkerLease(this, e.endpoint.address(), e.endpoint.channel()));
      }
    }
    return Optional.empty();
  }

  /** The worker could not be reached: out of the pool until a health check finds it again. */
  public void markUnhealthy(String address) {
    synchronized (this) {
      Entry e = entries.get(address);
      if (e != null) {
        e.healthy = false;
      }
    }
    fire();
  }

  /**
   * Hands a claimed worker back. {@code answered}: the worker gave RunJob its final response, so it is FREE now
   * or removing that job's workspace, which a RunJob for the next job waits for; otherwise (failure, cancel, lost
   * call) it may still be cleaning up and counts as BUSY until the check that follows says FREE.
   */
  void release(String address, boolean answered) {
    synchronized (this) {
      Entry e = entries.get(address);
      if (e == null) {
        return;
      }
      e.claimedBy = null;
      e.claimedFromHostQueue = false;
      e.state = answered && e.healthy ? WorkerState.FREE : WorkerState.BUSY;
      e.runningJob = answered ? null : e.runningJob;
    }
    fire();
    if (!checker.isShutdown()) {
      checker.execute(() -> check(entries.get(address)));
    }
  }

  private void checkAll() {
    entries.values().forEach(this::check);
  }

  private void check(Entry e) {
    boolean healthy;
    WorkerState state = WorkerState.BUSY;
    String running = null;
    try {
      if (!serving(e.endpoint.channel())) {
        healthy = false;
      } else {
        WorkerStatus st = WorkerGrpc.newBlockingStub(e.endpoint.channel())
            .withDeadlineAfter(callDeadline.toMillis(), TimeUnit.MILLISECONDS)
            .getStatus(GetStatusRequest.getDefaultInstance());
        healthy = true;
        state = st.getState();
        running = st.getJobId().isEmpty() ? null : st.getJobId();
      }
    } catch (StatusRuntimeException ex) {
      healthy = false;
    } catch (RuntimeException ex) {
      log.warn("health check of {} failed", e.endpoint.address(), ex);
      healthy = false;
    }
    boolean changed;
    synchronized (this) {
      changed = e.healthy != healthy || e.state != state;
      if (changed && e.healthy != healthy) {
        log.info("build worker {} is {}", e.endpoint.address(), healthy ? "healthy" : "unreachable");
      }
      e.healthy = healthy;
      e.state = state;
      e.runningJob = running;
    }
    if (changed) {
      fire();
    }
  }

  private boolean serving(ManagedChannel channel) {
    try {
      HealthCheckResponse r = HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(callDeadline.toMillis(), TimeUnit.MILLISECONDS)
          .check(HealthCheckRequest.getDefaultInstance());
      return r.getStatus() == HealthCheckResponse.ServingStatus.SERVING;
    } catch (StatusRuntimeException ex) {
      if (ex.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return true;
      }
      throw ex;
    }
  }

  private void fire() {
    synchronized (this) {
      notifyAll();
    }
    listeners.forEach(Runnable::run);
  }

  @Override
  public void close() {
    checker.shutdownNow();
  }

  private static final class Entry {
    final WorkerEndpoint endpoint;
    boolean healthy;
    WorkerState state = WorkerState.BUSY;
    String runningJob;
    String claimedBy;
    boolean claimedFromHostQueue;

    Entry(WorkerEndpoint endpoint) {
      this.endpoint = endpoint;
    }
  }
}
