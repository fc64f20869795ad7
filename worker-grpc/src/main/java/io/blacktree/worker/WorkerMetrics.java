package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.ReuseSummary;
import io.blacktree.proto.worker.v1.Step;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's metrics, as a {@link JobObserver} (Prometheus names):
 * {@code blacktree_worker_jobs_total{outcome,error_kind}}, {@code blacktree_worker_job_duration_seconds},
 * {@code blacktree_worker_step_duration_seconds{step,outcome}} (step clone, build, login, push, cleanup),
 * {@code blacktree_worker_pushed_bytes_total}, {@code blacktree_worker_git_mirror_total{result=hit|miss}},
 * {@code blacktree_worker_cached_build_steps_total}, {@code blacktree_worker_remote_cached_build_steps_total} (of
 * those, the steps loaded from the registry cache), {@code blacktree_worker_layers_total{result=uploaded|existing}}
 * and the gauge {@code blacktree_worker_busy} (1 while a job runs).
 */
public final class WorkerMetrics implements JobObserver {
  private final MeterRegistry registry;
  private final Counter pushedBytes;
  private final Counter cachedSteps;
  private final Counter remoteCachedSteps;
  private final AtomicInteger busy = new AtomicInteger();

  public WorkerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.pushedBytes = Counter.builder("blacktree.worker.pushed.bytes").baseUnit("bytes")
        .description("bytes uploaded to the registry").register(registry);
    this.cachedSteps = Counter.builder("blacktree.worker.cached.build.steps")
        .description("Dockerfile steps served from the layer cache").register(registry);
    this.remoteCachedSteps = Counter.builder("blacktree.worker.remote.cached.build.steps")
        .description("Dockerfile steps loaded from the fleet's registry cache").register(registry);
    registry.gauge("blacktree.worker.busy", busy);
    for (String step : new String[] {"clone", "build", "login", "push", "cleanup"}) {
      stepTimer(step, "success");
    }
  }

  @Override
  public void jobStarted(JobInfo job) {
    busy.set(1);
  }

  @Override
  public void stepFinished(JobInfo job, Step step, long millis, ErrorKind failure) {
    stepTimer(stepName(step), failure == null ? "success" : "failure").record(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void jobFinished(JobInfo job, JobEnd end) {
    busy.set(0);
    JobResponse r = end.response();
    boolean success = r.getStatus() == JobResponse.Status.SUCCESS;
    Counter.builder("blacktree.worker.jobs").description("jobs run to their end")
        .tag("outcome", r.getStatus().name().toLowerCase(Locale.ROOT))
        .tag("error_kind", success ? "none" : r.getErrorKind().name())
        .register(registry).increment();
    Timer.builder("blacktree.worker.job.duration").description("wall time of a job on the worker")
        .publishPercentileHistogram().register(registry).record(Duration.ofMillis(end.millis()));
    if (end.bytesPushed() > 0) {
      pushedBytes.increment(end.bytesPushed());
    }
    if (r.hasReuse()) {
      reuse(r.getReuse(), r);
    }
  }

  private void reuse(ReuseSummary s, JobResponse r) {
    cachedSteps.increment(s.getCachedBuildSteps());
    remoteCachedSteps.increment(s.getRemoteCachedBuildSteps());
    if (r.getStatus() != JobResponse.Status.SUCCESS) {
      return;
    }
    if (s.getMirrorHit() || s.getBytesFetched() > 0) { // no mirror configured: neither
      Counter.builder("blacktree.worker.git.mirror").description("git mirror cache lookups")
          .tag("result", s.getMirrorHit() ? "hit" : "miss").register(registry).increment();
    }
    layers("uploaded").increment(s.getLayersPushed());
    layers("existing").increment(s.getLayersAlreadyInRegistry());
  }

  private Counter layers(String result) {
    return Counter.builder("blacktree.worker.layers").description("image layers by what the registry needed")
        .tag("result", result).register(registry);
  }

  private Timer stepTimer(String step, String outcome) {
    return Timer.builder("blacktree.worker.step.duration").description("wall time of one job step")
        .tag("step", step).tag("outcome", outcome)
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
        .maximumExpectedValue(io.blacktree.core.Defaults.JOB_TIME_LIMIT).register(registry);
  }

  static String stepName(Step step) {
    return switch (step) {
      case CLONING -> "clone";
      case BUILDING -> "build";
      case LOGGING_IN -> "login";
      case PUSHING -> "push";
      case CLEANING_UP -> "cleanup";
      default -> step.name().toLowerCase(Locale.ROOT);
    };
  }
}
