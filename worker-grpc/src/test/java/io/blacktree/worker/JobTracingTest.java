package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.ErrorKind;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.Step;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JobTracingTest {
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final JobTracing tracing = new JobTracing(provider.get("test"));
  private final JobObserver.JobInfo job = new JobObserver.JobInfo("wf/run/2", "wf", 2, "w1");

  @Test
  void job_underCallerSpan_jobSpanIsChildAndStepsAreChildrenOfJob() {
    Span caller = provider.get("test").spanBuilder("activity Dispatch").startSpan();
    try (Scope ignored = caller.makeCurrent()) {
      tracing.jobStarted(job);
    }
    tracing.stepStarted(job, Step.CLONING);
    tracing.stepFinished(job, Step.CLONING, 10, null);
    tracing.stepStarted(job, Step.BUILDING);
    tracing.stepFinished(job, Step.BUILDING, 20, ErrorKind.BUILD_FAILED);
    tracing.jobFinished(job, new JobObserver.JobEnd(JobResponse.newBuilder().setStatus(JobResponse.Status.FAILED)
        .setErrorKind(io.blacktree.proto.worker.v1.ErrorKind.BUILD_FAILED).build(), 30, 0));
    caller.end();

    Map<String, SpanData> byName = exporter.getFinishedSpanItems().stream()
        .collect(Collectors.toMap(SpanData::getName, Function.identity()));
    assertThat(byName).containsKeys("job", "step cloning", "step building", "activity Dispatch");
    SpanData jobSpan = byName.get("job");
    assertThat(jobSpan.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
    assertThat(jobSpan.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
    assertThat(jobSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(jobSpan.getAttributes().asMap().toString()).contains("wf/run/2", "FAILED");
    for (String step : List.of("step cloning", "step building")) {
      assertThat(byName.get(step).getParentSpanId()).as(step).isEqualTo(jobSpan.getSpanId());
    }
    assertThat(byName.get("step building").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(byName.get("step cloning").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void jobFinished_withStepStillOpen_endsIt() {
    tracing.jobStarted(job);
    tracing.stepStarted(job, Step.PUSHING);
    tracing.jobFinished(job, new JobObserver.JobEnd(JobResponse.newBuilder()
        .setStatus(JobResponse.Status.CANCELLED).build(), 5, 0));

    assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName)
        .containsExactlyInAnyOrder("step pushing", "job");
  }
}
