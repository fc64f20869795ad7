package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.LogBuffer;
import io.blacktree.core.SecretRedactor;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.Keepalive;
import io.blacktree.proto.worker.v1.LogLine;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.proto.worker.v1.StepFinished;
import io.blacktree.proto.worker.v1.StepStarted;
import io.blacktree.worker.JobFailure.Stopped;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One job's live state on this worker: its step, bounded redacted log, the event sequence {@code WatchJob}
 * streams (bounded: the oldest events are dropped first, the final response is always kept), and the stop
 * switch that cancel, the time limit and the orphan timer pull. The service, the registry and the runner use it;
 * steps see only its {@link StepControl} side and the immutable {@link JobSpec}. Thread-safe; waiters are woken
 * on every change.
 */
final class Job implements StepControl {
  static final int MAX_EVENTS = 5000;

  private final JobSpec spec;
  private final Instant deadline;
  private final SecretRedactor redactor;
  private final LogBuffer log;
  private final Deque<JobEvent> events = new ArrayDeque<>();
  private final Map<Step, Long> durations = new LinkedHashMap<>();
  private long nextSequence = 1;
  private Step step = Step.QUEUED;
  private JobResponse result;
  private ErrorKind stopKind;
  private String stopReason;
  private AutoCloseable stopHook;
  private int attached;
  private long attachGeneration;

  /** A job that may run until {@code startedAt} plus the spec's time limit. */
  Job(JobSpec spec, Instant startedAt, SecretRedactor redactor) {
    this.spec = spec;
    this.deadline = startedAt.plus(spec.timeLimit());
    this.redactor = redactor;
    this.log = new LogBuffer(redactor);
  }

  String jobId() {
    return spec.jobId();
  }

  JobSpec spec() {
    return spec;
  }

  @Override
  public Instant deadline() {
    return deadline;
  }

  @Override
  public SecretRedactor redactor() {
    return redactor;
  }

  LogBuffer logBuffer() {
    return log;
  }

  synchronized Step step() {
    return step;
  }

  synchronized Map<Step, Long> durations() {
    return new LinkedHashMap<>(durations);
  }

  synchronized void stepStarted(Step s) {
    step = s;
    append(JobEvent.newBuilder().setStepStarted(StepStarted.newBuilder().setStep(s)));
  }

  synchronized void stepFinished(Step s, long millis) {
    durations.put(s, millis);
    append(JobEvent.newBuilder().setStepFinished(StepFinished.newBuilder().setStep(s).setMillis(millis)));
  }

  /** Adds output (one or more lines); each stored line is redacted and becomes a log event. */
  @Override
  public void log(String text) {
    List<String> lines = log.add(text);
    synchronized (this) {
      for (String line : lines) {
        append(JobEvent.newBuilder().setLog(LogLine.newBuilder().setLine(line)));
      }
    }
  }

  /** Publishes the final response as the last event and wakes every waiter. */
  synchronized void finish(JobResponse response) {
    result = response;
    step = Step.DONE;
    stopHook = null;
    append(JobEvent.newBuilder().setFinal(response));
  }

  synchronized JobResponse result() {
    return result;
  }

  /** Waits up to {@code millis} for the final response; null if there is none yet. */
  synchronized JobResponse awaitResult(long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (result == null) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        return null;
      }
      wait(left);
    }
    return result;
  }

  /** Events with sequence >= {@code from}, oldest first. */
  synchronized List<JobEvent> eventsFrom(long from) {
    List<JobEvent> out = new ArrayList<>();
    for (JobEvent e : events) {
      if (e.getSequence() >= from) {
        out.add(e);
      }
    }
    return out;
  }

  /** Waits up to {@code millis} for an event with sequence >= {@code from}; true if there is one. */
  synchronized boolean awaitEvent(long from, long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (nextSequence <= from) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  synchronized JobEvent keepalive() {
    return JobEvent.newBuilder().setSequence(0).setTimestampMillis(System.currentTimeMillis())
        .setKeepalive(Keepalive.newBuilder().setStep(step)).build();
  }

  private void append(JobEvent.Builder b) {
    events.addLast(b.setSequence(nextSequence++).setTimestampMillis(System.currentTimeMillis()).build());
    while (events.size() > MAX_EVENTS) {
      events.removeFirst();
    }
    notifyAll();
  }

  /**
   * Stops the job: the first stop wins; the current step's hook (a build or push callback) is closed so the
   * engine stops the work, and later steps do not start.
   */
  void stop(ErrorKind kind, String reason) {
    AutoCloseable hook;
    synchronized (this) {
      if (stopKind != null || result != null) {
        return;
      }
      stopKind = kind;
      stopReason = reason;
      hook = stopHook;
      notifyAll();
    }
    closeQuietly(hook);
  }

  @Override
  public synchronized boolean isStopped() {
    return stopKind != null;
  }

  synchronized ErrorKind stopKind() {
    return stopKind;
  }

  /** The {@link Stopped} failure for a stopped job, or null. */
  @Override
  public synchronized Stopped stopped() {
    return stopKind == null ? null : new Stopped(stopKind, stopReason);
  }

  /**
   * Registers what closes the running step's engine call; closed at once if the job is already stopped.
   * Pass null to clear.
   */
  @Override
  public void setStopHook(AutoCloseable hook) {
    boolean stopNow;
    synchronized (this) {
      stopHook = hook;
      stopNow = stopKind != null && hook != null;
    }
    if (stopNow) {
      closeQuietly(hook);
    }
  }

  /** A caller (RunJob or WatchJob) is waiting on this job. Returns the new attach generation. */
  synchronized long attach() {
    attached++;
    return ++attachGeneration;
  }

  /** A caller left; returns true when nobody is attached any more. */
  synchronized boolean detach() {
    attached = Math.max(0, attached - 1);
    return attached == 0;
  }

  /** True if nobody attached since generation {@code gen} and nobody is attached now. */
  synchronized boolean orphanedSince(long gen) {
    return attached == 0 && attachGeneration == gen && result == null;
  }

  synchronized long attachGeneration() {
    return attachGeneration;
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception ignored) {
      // stopping is best effort; the step sees the stop flag either way
    }
  }
}
