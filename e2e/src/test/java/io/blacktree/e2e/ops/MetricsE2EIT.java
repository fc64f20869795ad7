package io.blacktree.e2e.ops;

import static io.blacktree.e2e.support.BlacktreeStack.app;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.e2e.support.BlacktreeStack;
import io.blacktree.e2e.support.ComponentProcess;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bridge, orchestrator and worker as processes with {@code --metrics-port} and {@code --log-format json}: one
 * job moves each process's counters and histograms by exactly that job, and the worker's lines about the job
 * are JSON carrying its workflow and job IDs.
 */
class MetricsE2EIT {
  private static final Duration JOB_BOUND = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Integer> PORTS = Map.of("worker", ComponentProcess.freePort(),
      "orchestrator", ComponentProcess.freePort(), "bridge", ComponentProcess.freePort());

  @TempDir static Path dir;
  static BlacktreeStack stack;

  @BeforeAll
  static void start() throws Exception {
    // The engine builder: its push reports uploaded layers and bytes, which buildctl's progress does not.
    stack = BlacktreeStack.start(MetricsE2EIT.class, dir, component -> Stream.concat(Stream.of(
        "--metrics-port", Integer.toString(PORTS.get(component)), "--metrics-bind", "127.0.0.1",
        "--log-format", "json"), component.equals("worker") ? Stream.of("--builder", "engine") : Stream.empty())
        .toList());
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static Scrape scrape(String component) throws Exception {
    Instant end = Instant.now().plusSeconds(60);
    while (true) {
      try {
        return Scrape.of(PORTS.get(component));
      } catch (java.io.IOException e) {
        if (Instant.now().isAfter(end)) {
          throw e;
        }
        stack.assertComponentsAlive();
        Thread.sleep(200);
      }
    }
  }

  @Test
  void oneJob_everyMetricsEndpoint_movedByExactlyThatJob() throws Exception {
    String repo = "acme/" + stack.ids().next("metered");
    stack.repos().create(repo, "main", app("metered " + repo, ""));
    Scrape bridge0 = scrape("bridge");
    Scrape orch0 = scrape("orchestrator");
    Scrape worker0 = scrape("worker");

    String workflowId = stack.publish(repo, "main", "v1", stack.newEcrRepo("metered"));
    JsonNode result = stack.awaitResult(workflowId, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");

    Map<String, String> success = Map.of("outcome", "success");
    Scrape orch = awaitMoved("orchestrator", s -> s.sum("blacktree_orchestrator_jobs_total", success)
        >= orch0.sum("blacktree_orchestrator_jobs_total", success) + 1);
    Scrape bridge = scrape("bridge");
    Scrape worker = scrape("worker");

    assertThat(delta(bridge0, bridge, "blacktree_bridge_received_total", Map.of())).isEqualTo(1);
    assertThat(delta(bridge0, bridge, "blacktree_bridge_started_total", Map.of())).isEqualTo(1);
    assertThat(delta(bridge0, bridge, "blacktree_bridge_dead_lettered_total", Map.of())).isZero();
    assertThat(bridge.has("blacktree_bridge_consumer_lag_messages")).isTrue();

    assertThat(delta(orch0, orch, "blacktree_orchestrator_jobs_total", success)).isEqualTo(1);
    assertThat(delta(orch0, orch, "blacktree_orchestrator_job_attempts_total", success)).isEqualTo(1);
    assertThat(delta(orch0, orch, "blacktree_orchestrator_job_duration_seconds_count", success)).isEqualTo(1);
    assertThat(delta(orch0, orch, "blacktree_orchestrator_attempts_total", success)).isEqualTo(1);
    assertThat(delta(orch0, orch, "blacktree_orchestrator_attempts_total", Map.of())).isEqualTo(1);
    assertThat(delta(orch0, orch, "blacktree_orchestrator_queue_wait_seconds_count", Map.of())).isEqualTo(1);
    assertThat(orch.sum("blacktree_orchestrator_workers", Map.of("state", "free"))
        + orch.sum("blacktree_orchestrator_workers", Map.of("state", "busy"))).isEqualTo(1);
    assertThat(orch.has("temporal_")).as("Temporal SDK metrics in the same registry").isTrue();
    assertThat(bridge.has("temporal_")).as("the bridge's Temporal client metrics").isTrue();

    assertThat(delta(worker0, worker, "blacktree_worker_jobs_total", success)).isEqualTo(1);
    assertThat(delta(worker0, worker, "blacktree_worker_jobs_total", Map.of())).isEqualTo(1);
    assertThat(delta(worker0, worker, "blacktree_worker_job_duration_seconds_count", Map.of())).isEqualTo(1);
    for (String step : List.of("clone", "build", "login", "push", "cleanup")) {
      assertThat(delta(worker0, worker, "blacktree_worker_step_duration_seconds_count",
          Map.of("step", step, "outcome", "success"))).as(step).isEqualTo(1);
      assertThat(delta(worker0, worker, "blacktree_worker_step_duration_seconds_bucket",
          Map.of("step", step, "le", "+Inf"))).as(step + " histogram").isEqualTo(1);
    }
    assertThat(delta(worker0, worker, "blacktree_worker_pushed_bytes_total", Map.of())).isPositive();
    assertThat(delta(worker0, worker, "blacktree_worker_layers_total", Map.of("result", "uploaded"))).isPositive();

    assertJobLinesAreJson(workflowId);
  }

  private static void assertJobLinesAreJson(String workflowId) throws Exception {
    String log = stack.log("worker").orElseThrow();
    List<JsonNode> jobLines = new ArrayList<>();
    for (String line : log.split("\n")) {
      if (line.contains(workflowId)) {
        assertThat(line).as("a worker line about the job is one JSON object").startsWith("{");
        jobLines.add(JSON.readTree(line));
      }
    }
    assertThat(jobLines).extracting(j -> j.path("msg").asText())
        .anyMatch(m -> m.endsWith(" started")).anyMatch(m -> m.contains(" finished SUCCESS"));
    for (JsonNode line : jobLines) {
      assertThat(line.path("workflow_id").asText()).as(line.toString()).isEqualTo(workflowId);
      assertThat(line.path("job_id").asText()).startsWith(workflowId + "/").endsWith("/1");
      assertThat(line.path("attempt").asText()).isEqualTo("1");
      assertThat(line.path("worker").asText()).isNotEmpty();
      assertThat(line.has("ts") && line.has("level") && line.has("logger")).isTrue();
    }
  }

  private static double delta(Scrape before, Scrape after, String name, Map<String, String> labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  }

  private static Scrape awaitMoved(String component, java.util.function.Predicate<Scrape> moved) throws Exception {
    Instant end = Instant.now().plusSeconds(30);
    Scrape s = scrape(component);
    while (!moved.test(s) && Instant.now().isBefore(end)) {
      Thread.sleep(250);
      s = scrape(component);
    }
    return s;
  }
}
