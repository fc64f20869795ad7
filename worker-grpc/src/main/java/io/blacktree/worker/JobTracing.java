package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.Step;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Traces a job: a {@code job} span (a child of the context current when the job started, which the job
 * executor carries over from the {@code RunJob} call) and one {@code step <name>} span per step under it,
 * with the job's IDs, the outcome and the error kind as attributes.
 */
public final class JobTracing implements JobObserver {
  private final Tracer tracer;
  private final Map<String, Span> jobs = new ConcurrentHashMap<>();
  private final Map<String, Span> steps = new ConcurrentHashMap<>();

  /** Spans from {@code tracer} (a no-op tracer when tracing is off). */
  public JobTracing(Tracer tracer) {
    this.tracer = tracer;
  }

  @Override
  public void jobStarted(JobInfo job) {
    Span span = tracer.spanBuilder("job")
        .setParent(Context.current())
        .setSpanKind(SpanKind.SERVER)
        .setAttribute("blacktree.job_id", job.jobId())
        .setAttribute("blacktree.workflow_id", job.workflowId())
        .setAttribute("blacktree.attempt", job.attempt())
        .setAttribute("blacktree.worker", job.workerId())
        .startSpan();
    jobs.put(job.jobId(), span);
  }

  @Override
  public void stepStarted(JobInfo job, Step step) {
    Span parent = jobs.get(job.jobId());
    Context context = parent == null ? Context.current() : Context.current().with(parent);
    Span span = tracer.spanBuilder("step " + step.name().toLowerCase(Locale.ROOT))
        .setParent(context)
        .setAttribute("blacktree.job_id", job.jobId())
        .startSpan();
    Span previous = steps.put(stepKey(job, step), span);
    if (previous != null) {
      previous.end();
    }
  }

  @Override
  public void stepFinished(JobInfo job, Step step, long millis, ErrorKind failure) {
    Span span = steps.remove(stepKey(job, step));
    if (span == null) {
      return;
    }
    if (failure != null) {
      span.setAttribute("blacktree.error_kind", failure.name());
      span.setStatus(StatusCode.ERROR, failure.name());
    }
    span.end();
  }

  @Override
  public void jobFinished(JobInfo job, JobEnd end) {
    steps.keySet().removeIf(key -> {
      if (key.startsWith(job.jobId() + "#")) {
        steps.get(key).end();
        return true;
      }
      return false;
    });
    Span span = jobs.remove(job.jobId());
    if (span == null) {
      return;
    }
    JobResponse response = end.response();
    span.setAttribute("blacktree.status", response.getStatus().name());
    if (response.getStatus() != JobResponse.Status.SUCCESS) {
      span.setAttribute("blacktree.error_kind", response.getErrorKind().name());
      span.setStatus(StatusCode.ERROR, response.getErrorKind().name());
    }
    span.end();
  }

  private static String stepKey(JobInfo job, Step step) {
    return job.jobId() + "#" + step.name();
  }
}
