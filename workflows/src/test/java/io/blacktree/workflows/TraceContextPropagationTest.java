package io.blacktree.workflows;

import io.blacktree.testsupport.TestRequests;
import io.blacktree.workflow.api.DeployJobStart;
import io.blacktree.workflow.api.DeployJobWorkflow;

import io.blacktree.core.JobStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.activities.DispatchOutcome;
import io.blacktree.activities.DispatchRequest;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.DeployResult;
import io.blacktree.core.Names;
import io.blacktree.core.ReplyTarget;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The span that starts a job is the parent of the orchestrator's activity spans, which are current in them. */
class TraceContextPropagationTest {
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  private final Tracer tracer = provider.get("test");
  private TestWorkflowEnvironment env;

  @BeforeEach
  void setUp() {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder()
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
            .setContextPropagators(List.of(new TraceContextPropagator())).build())
        .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder()
            .setWorkerInterceptors(new ActivityTracing(tracer)).build());
    for (String name : Names.SEARCH_ATTRIBUTES) {
      options.registerSearchAttribute(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    env = TestWorkflowEnvironment.newInstance(options.build());
  }

  @AfterEach
  void tearDown() {
    env.close();
    provider.close();
  }

  @Test
  void run_startedInsideSpan_activitySpansAreItsChildrenAndCurrentInTheActivity() {
    List<SpanContext> seenInDispatch = new CopyOnWriteArrayList<>();
    FakeDispatch dispatch = new FakeDispatch((DispatchRequest r) -> {
      seenInDispatch.add(Span.current().getSpanContext());
      return FakeDispatch.succeed("w1:1").apply(r);
    });
    DeployJobOptions jobOptions = OrchestratorConfig.builder().dispatchTaskQueue("trace-dispatch")
        .affinityWait(java.time.Duration.ZERO).build().workflowOptions();
    Worker worker = env.newWorker("trace-deploy");
    worker.registerWorkflowImplementationFactory(DeployJobWorkflow.class, () -> new DeployJobWorkflowImpl(jobOptions));
    worker.registerActivitiesImplementations(new FakePublish());
    env.newWorker(jobOptions.dispatchTaskQueue()).registerActivitiesImplementations(dispatch);
    env.start();
    BuildRequest request = TestRequests.of("acme/app", "main", "v9", "123456789012", "app-images")
        .withRegion("us-east-1");
    DeployJobWorkflow wf = env.getWorkflowClient().newWorkflowStub(DeployJobWorkflow.class,
        DeployJobStart.options(request, "trace-deploy"));

    Span start = tracer.spanBuilder("start DeployJob").startSpan();
    DeployResult result;
    try (Scope ignored = start.makeCurrent()) {
      result = wf.run(new DeployJobWorkflow.DeployJobInput(request, List.of(new ReplyTarget("reply.q", "c"))));
    } finally {
      start.end();
    }

    assertThat(result.status()).isEqualTo(JobStatus.SUCCESS);
    List<SpanData> finished = spans.getFinishedSpanItems();
    SpanData dispatchSpan = finished.stream().filter(s -> s.getName().equals("activity Dispatch")).findFirst()
        .orElseThrow(() -> new AssertionError("no activity Dispatch span in " + finished));
    SpanData publishSpan = finished.stream().filter(s -> s.getName().equals("activity PublishResult")).findFirst()
        .orElseThrow(() -> new AssertionError("no activity PublishResult span in " + finished));
    for (SpanData s : List.of(dispatchSpan, publishSpan)) {
      assertThat(s.getTraceId()).isEqualTo(start.getSpanContext().getTraceId());
      assertThat(s.getParentSpanId()).isEqualTo(start.getSpanContext().getSpanId());
      assertThat(s.getAttributes().asMap().toString()).contains(Names.workflowId(request, "us-east-1"));
    }
    assertThat(seenInDispatch).singleElement()
        .satisfies(c -> assertThat(c.getSpanId()).isEqualTo(dispatchSpan.getSpanId()));
  }
}
