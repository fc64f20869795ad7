package io.blacktree.e2e;

import static io.blacktree.e2e.support.BlacktreeStack.app;
import static io.blacktree.e2e.support.BlacktreeStack.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.e2e.support.BlacktreeStack;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.Docker;
import io.blacktree.e2e.support.OtlpReceiver;
import io.blacktree.e2e.support.OtlpReceiver.ReceivedSpan;
import io.blacktree.proto.worker.v1.WorkerState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's life as ops see it, with worker, orchestrator and bridge as real processes: a request on the build
 * queue becomes an image that runs and a result message; {@code blacktree jobs list/logs/show/retry/cancel}
 * report and steer it; every process exports its spans to an in-test OTLP endpoint, and one job is one trace
 * across the three.
 */
class JobsLifecycleE2EIT {
  private static final Duration JOB_BOUND = Duration.ofSeconds(120);

  @TempDir static Path dir;
  static BlacktreeStack stack;
  static OtlpReceiver traces;

  @BeforeAll
  static void start() throws Exception {
    traces = OtlpReceiver.start();
    // The worker builds on the engine builder: the cancel case watches the engine's RUN container go away
    // (BuildKit's cancel is WorkerBuildKitIT's), and the images it runs are then already in the engine.
    stack = BlacktreeStack.start(JobsLifecycleE2EIT.class, dir, component -> component.equals("worker")
        ? List.of("--otlp-endpoint", traces.endpoint(), "--builder", "engine")
        : List.of("--otlp-endpoint", traces.endpoint()));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (traces != null) {
      traces.close();
    }
  }

  @Test
  void tracedRequest_oneJob_oneTraceWithSpansOfBridgeOrchestratorAndWorkerLinked() throws Exception {
    String repo = "acme/" + stack.ids().next("traced");
    stack.repos().create(repo, "main", app("traced", ""));
    String ecrRepo = stack.newEcrRepo("traced");
    String traceId = UUID.randomUUID().toString().replace("-", "");
    String publisherSpan = "00f067aa0ba902b7";

    String workflowId = stack.publish(repo, "main", "v1", ecrRepo,
        Map.of("traceparent", "00-" + traceId + "-" + publisherSpan + "-01"));

    JsonNode result = stack.awaitResult(workflowId, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");
    Set<String> expected = Set.of("blacktree-bridge", "blacktree-orchestrator", "blacktree-worker");
    List<ReceivedSpan> trace = traces.await(all -> inTrace(all, traceId).stream()
            .map(ReceivedSpan::name).collect(Collectors.toSet())
            .containsAll(Set.of("activity PublishResult", "step pushing", "job")), Duration.ofSeconds(30))
        .stream().filter(span -> span.traceId().equals(traceId)).toList();
    assertThat(traces.errors()).isEmpty();
    assertThat(trace).extracting(ReceivedSpan::service).containsAll(expected);
    assertThat(trace).extracting(ReceivedSpan::name).contains(stack.buildQueue() + " process",
        "activity Dispatch", "activity PublishResult", "job", "step cloning", "step building", "step pushing");

    Map<String, ReceivedSpan> byId = trace.stream().collect(Collectors.toMap(ReceivedSpan::spanId, span -> span));
    ReceivedSpan received = trace.stream().filter(span -> span.service().equals("blacktree-bridge")).findFirst()
        .orElseThrow();
    assertThat(received.parentSpanId()).as("the bridge continues the publisher's trace").isEqualTo(publisherSpan);
    for (ReceivedSpan span : trace) {
      if (span != received) {
        assertThat(byId).as("parent of %s (%s)", span.name(), span.service()).containsKey(span.parentSpanId());
      }
    }
    ReceivedSpan dispatch = named(trace, "activity Dispatch");
    ReceivedSpan job = named(trace, "job");
    assertThat(dispatch.parentSpanId()).isEqualTo(received.spanId());
    assertThat(job.parentSpanId()).isEqualTo(dispatch.spanId());
    assertThat(job.attributes()).containsEntry("blacktree.workflow_id", workflowId);
    assertThat(named(trace, "step building").parentSpanId()).isEqualTo(job.spanId());
  }

  private static List<ReceivedSpan> inTrace(List<ReceivedSpan> spans, String traceId) {
    return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
  }

  private static ReceivedSpan named(List<ReceivedSpan> spans, String name) {
    return spans.stream().filter(span -> span.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
  }

  @Test
  void amqpRequest_validRepo_imageRunsResultPublishedListedAndLogged() throws Exception {
    String repo = "acme/" + stack.ids().next("hello");
    String greeting = "hello from " + repo;
    String buildMarker = "build-step-" + System.nanoTime();
    stack.repos().create(repo, "main", app(greeting, run("echo", buildMarker)));
    String ecrRepo = stack.newEcrRepo("hello");

    String workflowId = stack.publish(repo, "main", "v1.0.0", ecrRepo);

    JsonNode result = stack.awaitResult(workflowId, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");
    String image = result.path("image_url").asText();
    assertThat(image).isEqualTo(stack.registry() + "/" + ecrRepo + ":v1.0.0");
    assertThat(Docker.runImage(image)).isEqualTo(greeting);

    Cli.Result list = awaitListed(workflowId, "completed");
    assertThat(list.out()).contains(workflowId).contains("completed");

    Cli.Result logs = stack.cli().run("jobs", "logs", workflowId);
    assertThat(logs.exitCode()).as(logs.toString()).isZero();
    assertThat(logs.out()).contains("=== attempt 1 SUCCEEDED").contains(buildMarker);
  }

  @Test
  void brokenDockerfile_failsOnceThenFixedAndRetried_succeedsUnderSameId() throws Exception {
    String repo = "acme/" + stack.ids().next("broken");
    stack.repos().create(repo, "main", app("broken", run("sh", "-c", "echo compiling; exit 3")));
    String ecrRepo = stack.newEcrRepo("broken");

    String workflowId = stack.publish(repo, "main", "v2", ecrRepo);

    JsonNode failed = stack.awaitResult(workflowId, JOB_BOUND);
    assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("FAILED");
    assertThat(failed.path("error_kind").asText()).isEqualTo("BUILD_FAILED");
    JsonNode job = stack.awaitJobStatus(workflowId, "failed", Duration.ofSeconds(30));
    assertThat(job.path("attempts")).as("not retried: one attempt").hasSize(1);
    assertThat(job.path("attempts").get(0).path("error_kind").asText()).isEqualTo("BUILD_FAILED");
    String failedRun = job.path("run_id").asText();

    String fixedCommit = stack.repos().commit(repo, "main", app("fixed", run("echo", "fixed build")), "fix build");
    Cli.Result retry = stack.cli().run("jobs", "retry", workflowId);
    assertThat(retry.exitCode()).as(retry.toString()).isZero();
    assertThat(retry.out()).contains("Retrying " + workflowId);

    JsonNode succeeded = stack.awaitResult(workflowId, 1, JOB_BOUND);
    assertThat(succeeded.path("status").asText()).as(succeeded.toString()).isEqualTo("SUCCESS");
    assertThat(succeeded.path("commit_sha").asText()).isEqualTo(fixedCommit);
    JsonNode retried = stack.awaitJobStatus(workflowId, "completed", Duration.ofSeconds(30));
    assertThat(retried.path("run_id").asText()).isNotEqualTo(failedRun);
    assertThat(Docker.runImage(succeeded.path("image_url").asText())).isEqualTo("fixed");
  }

  @Test
  void jobsCancel_midBuild_cancelledWorkerFreeNoContainerLeft() throws Exception {
    String repo = "acme/" + stack.ids().next("slow");
    String marker = "6" + (System.nanoTime() % 1000);
    stack.repos().create(repo, "main", app("slow", run("sleep", marker)));
    String ecrRepo = stack.newEcrRepo("slow");
    String workflowId = stack.publish(repo, "main", "v3", ecrRepo);
    Docker.awaitContainer("sleep " + marker, Duration.ofSeconds(90));

    Cli.Result cancel = stack.cli().run("jobs", "cancel", workflowId);

    assertThat(cancel.exitCode()).as(cancel.toString()).isZero();
    JsonNode result = stack.awaitResult(workflowId, Duration.ofSeconds(60));
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("CANCELLED");
    stack.awaitJobStatus(workflowId, "cancelled", Duration.ofSeconds(30));
    assertThat(stack.workerState()).isEqualTo(WorkerState.FREE);
    Docker.awaitNoContainer("sleep " + marker, Duration.ofSeconds(30));
  }

  /** Visibility is eventually consistent: poll {@code jobs list --status} until the job shows. */
  private static Cli.Result awaitListed(String workflowId, String status) throws InterruptedException {
    Instant end = Instant.now().plusSeconds(30);
    Cli.Result last;
    do {
      last = stack.cli().run("jobs", "list", "--status", status);
      if (last.exitCode() == 0 && last.out().contains(workflowId)) {
        return last;
      }
      Thread.sleep(500);
    } while (Instant.now().isBefore(end));
    throw new AssertionError("jobs list --status " + status + " never showed " + workflowId + ": " + last);
  }
}
