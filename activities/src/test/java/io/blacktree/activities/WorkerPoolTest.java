package io.blacktree.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pool's claims: a dispatch from the host's own queue (cache affinity) goes ahead of the shared queue. */
class WorkerPoolTest {
  private FakeWorker worker;
  private ManagedChannel channel;
  private WorkerPool pool;

  @BeforeEach
  void setUp() throws Exception {
    worker = new FakeWorker();
    channel = NettyChannelBuilder.forTarget(worker.address()).usePlaintext().build();
    pool = new WorkerPool(List.of(new WorkerPool.WorkerEndpoint(worker.address(), channel)),
        Duration.ofMinutes(5), Duration.ofSeconds(2));
    pool.start();
  }

  @AfterEach
  void tearDown() {
    pool.close();
    channel.shutdownNow();
    worker.close();
  }

  @Test
  void claimWaiting_workerFreedWithinTheWait_takesItAheadOfTheSharedQueue() throws Exception {
    WorkerLease busy = pool.claim("job-1", null, null).orElseThrow();
    busy.markAnswered();
    CompletableFuture<Optional<WorkerLease>> waiting = CompletableFuture.supplyAsync(() ->
        pool.claimWaiting("job-2", null, null, Duration.ofSeconds(30), Duration.ofMillis(100), () -> {}));
    awaitHostWaiter();

    busy.close();
    Optional<WorkerLease> lease = waiting.get(30, TimeUnit.SECONDS);

    assertThat(lease).get().extracting(WorkerLease::address).isEqualTo(worker.address());
    // the worker the host-queue dispatch holds is no shared-queue slot, and none is free
    assertThat(pool.capacity()).isZero();
    assertThat(pool.claim("job-3", null, null)).isEmpty();
    lease.get().markAnswered();
    lease.get().close();
    assertThat(pool.capacity()).isEqualTo(1);
  }

  @Test
  void capacity_hostQueueDispatchWaiting_freeWorkerNotOfferedToTheSharedQueue() throws Exception {
    WorkerLease busy = pool.claim("job-1", null, null).orElseThrow();
    busy.markAnswered();
    assertThat(pool.capacity()).isEqualTo(1);
    CompletableFuture<Optional<WorkerLease>> waiting = CompletableFuture.supplyAsync(() ->
        pool.claimWaiting("job-2", null, null, Duration.ofSeconds(30), Duration.ofMillis(100), () -> {}));
    awaitHostWaiter();

    // released while the host-queue dispatch waits: the free worker is promised to it
    busy.close();
    waiting.get(30, TimeUnit.SECONDS).orElseThrow();

    assertThat(pool.capacity()).isZero();
  }

  @Test
  void claimWaiting_workerBusyThroughTheWait_emptyAfterHeartbeating() {
    pool.claim("job-1", null, null).orElseThrow();
    AtomicInteger ticks = new AtomicInteger();

    Optional<WorkerLease> lease = pool.claimWaiting("job-2", null, null, Duration.ofMillis(500),
        Duration.ofMillis(100), ticks::incrementAndGet);

    assertThat(lease).isEmpty();
    assertThat(ticks.get()).isGreaterThanOrEqualTo(2);
    assertThat(pool.capacity()).isEqualTo(1);
  }

  /** The waiter has registered once the shared queue's capacity drops to the busy worker alone. */
  private void awaitHostWaiter() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      synchronized (pool) {
        if (pool.hostWaiters() > 0) {
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the host-queue dispatch never started waiting");
  }
}
