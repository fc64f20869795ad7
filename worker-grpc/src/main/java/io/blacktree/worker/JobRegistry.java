package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The worker's one-job lock and its memory of finished jobs.
 *
 * <p>{@link #admit} takes the lock atomically: a new {@code job_id} while FREE starts the job; the running
 * job's own {@code job_id} re-attaches to it; a finished job's {@code job_id} gets its cached result; any
 * other {@code job_id} while BUSY is refused with the running job's id. Finished jobs stay cached (bounded
 * by count, and for {@code resultTtl}) so a late {@code RunJob} or {@code WatchJob} still finds them.
 *
 * <p>Orphaned jobs: a dropped caller is not a cancel. While a job runs, every waiting {@code RunJob} and
 * {@code WatchJob} counts as attached. When the last one leaves, the job keeps running for the grace period;
 * if nobody re-attaches within it, the job is stopped as {@code WORKER_LOST} (transient: the orchestrator
 * retries the job as a new attempt) and the worker becomes FREE. We stop rather than finish because the
 * orchestrator has by then given up on this attempt and will dispatch the next one, possibly to this very
 * worker; a finished-but-unread build would only hold the worker and race the next attempt's push. The
 * stopped job's result is cached like any other.
 *
 * <p>The job time limit is enforced here too: at the deadline the job is stopped as {@code TIMED_OUT}.
 *
 * <p>A job answers before its workspace is removed, and holds the lock until it is: the worker stays BUSY, so no
 * job starts on a host with a previous job's files. A new {@code job_id} that arrives in that window (its caller
 * had the answer and sent the next job at once) waits for the removal, up to {@link #REMOVAL_WAIT}, instead of
 * being refused.
 */
final class JobRegistry implements AutoCloseable {
  /** The outcome of asking to run a job. */
  sealed interface Admission {
    record Started(Job job) implements Admission {}

    record Attached(Job job) implements Admission {}

    record Finished(Job job) implements Admission {}

    record Busy(String runningJobId) implements Admission {}
  }

  static final int MAX_CACHED = 64;
  /** How long a new job waits for the answered job's workspace removal before it is refused as busy. */
  static final Duration REMOVAL_WAIT = Duration.ofSeconds(30);

  private final Function<Job, JobRunner.Outcome> runner;
  private final Duration grace;
  private final Duration resultTtl;
  private final Clock clock;
  /** Runs the job with the trace context of the call that admitted it (see {@link JobTracing}). */
  private final ExecutorService jobs =
      Context.taskWrapping(Executors.newSingleThreadExecutor(r -> daemon(r, "blacktree-job")));
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "blacktree-job-timer"));
  private final Map<String, CachedJob> finished = new LinkedHashMap<>();
  private Job current;

  private record CachedJob(Job job, Instant until) {}

  JobRegistry(Function<Job, JobRunner.Outcome> runner, Duration grace, Duration resultTtl, Clock clock) {
    this.runner = runner;
    this.grace = grace;
    this.resultTtl = resultTtl;
    this.clock = clock;
  }

  /** Takes the lock for {@code candidate} or says why not. A started job runs on the job thread. */
  synchronized Admission admit(Job candidate) {
    String id = candidate.jobId();
    awaitRemoval(id);
    Optional<Job> done = finishedJob(id);
    if (done.isPresent()) {
      return new Admission.Finished(done.get());
    }
    if (current != null) {
      return current.jobId().equals(id) ? new Admission.Attached(current) : new Admission.Busy(current.jobId());
    }
    current = candidate;
    start(candidate);
    return new Admission.Started(candidate);
  }

  private void start(Job job) {
    long limit = Math.max(0, Duration.between(clock.instant(), job.deadline()).toMillis());
    ScheduledFuture<?> timeLimit = timers.schedule(
        () -> job.stop(ErrorKind.TIMED_OUT, "job time limit reached"), limit, TimeUnit.MILLISECONDS);
    jobs.execute(() -> {
      JobRunner.Outcome outcome;
      try {
        outcome = runner.apply(job);
      } finally {
        timeLimit.cancel(false);
      }
      job.finish(outcome.response());
      try {
        outcome.removeWorkspace().run();
      } finally {
        release(job);
      }
    });
  }

  /** While the running job has answered and only removes its workspace, a different job waits (bounded). */
  private void awaitRemoval(String id) {
    long end = System.nanoTime() + REMOVAL_WAIT.toNanos();
    while (current != null && current.result() != null && !current.jobId().equals(id)) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Waits up to {@code millis} until {@code job} no longer holds the lock (its workspace removed); true if so. */
  synchronized boolean awaitReleased(Job job, long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (current == job) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  private synchronized void release(Job job) {
    if (current == job) {
      current = null;
    }
    notifyAll();
    finished.put(job.jobId(), new CachedJob(job, clock.instant().plus(resultTtl)));
    while (finished.size() > MAX_CACHED) {
      Iterator<String> it = finished.keySet().iterator();
      it.next();
      it.remove();
    }
  }

  /** The running job, if any. */
  synchronized Optional<Job> running() {
    return Optional.ofNullable(current);
  }

  /** The running or a cached job by id. */
  synchronized Optional<Job> find(String jobId) {
    if (current != null && current.jobId().equals(jobId)) {
      return Optional.of(current);
    }
    return finishedJob(jobId);
  }

  private Optional<Job> finishedJob(String jobId) {
    Instant now = clock.instant();
    finished.values().removeIf(c -> c.until().isBefore(now));
    CachedJob c = finished.get(jobId);
    return c == null ? Optional.empty() : Optional.of(c.job());
  }

  /** A caller starts waiting on {@code job}. */
  void attach(Job job) {
    job.attach();
  }

  /** A caller stopped waiting; if it was the last, the grace period starts. */
  void detach(Job job) {
    if (job.detach() && job.result() == null) {
      long gen = job.attachGeneration();
      timers.schedule(() -> {
        if (job.orphanedSince(gen)) {
          job.stop(ErrorKind.WORKER_LOST, "no caller re-attached within the grace period");
        }
      }, grace.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    Optional<Job> running = running();
    running.ifPresent(j -> j.stop(ErrorKind.WORKER_LOST, "worker shutting down"));
    jobs.shutdown();
    try {
      jobs.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timers.shutdownNow();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
