package io.blacktree.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.proto.worker.v1.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process crashes mid-job with one worker and one orchestrator as real processes ({@link FaultStack}) on a
 * Temporal dev server of the test's own ({@link PrivateTemporal}), so the shared server is never stopped: the
 * Temporal server killed and started again on its SQLite file, and the build worker killed and started again
 * on its workdir. Every test checks the job's end state (exactly one execution, one result message, SUCCESS,
 * one build, no workspace, no container, worker FREE) and that nothing runs on the private server afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestartFaultsE2EIT {
  private static final Duration JOB_BOUND = Duration.ofSeconds(180);

  @TempDir static Path dir;
  static PrivateTemporal temporal;
  static FaultStack stack;

  @BeforeAll
  static void start() throws Exception {
    temporal = new PrivateTemporal(dir.resolve("temporal"));
    stack = FaultStack.startOn(RestartFaultsE2EIT.class, dir.resolve("stack"), temporal);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @BeforeEach
  void quiet() {
    stack.awaitTrue("worker FREE", Duration.ofSeconds(60), stack.observer::isFree);
  }

  @Test
  @Order(1)
  void temporalKilledAndRestarted_midBuild_sqliteKept_completesOnce() throws Exception {
    Job job = stack.job("temporal", "sleep 12");
    job.start();
    stack.awaitStep(job, Step.BUILDING, Duration.ofSeconds(90));

    temporal.kill();
    Thread.sleep(5000); // the outage
    temporal.start();

    JsonNode result = stack.awaitEndedOnce(job, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");
    assertThat(stack.observer.builds(job)).as("one build; steps seen: %s", stack.observer.stepsSeen(job))
        .isEqualTo(1);
    assertThat(result.path("logs").asText()).contains(job.marker);
    assertThat(FaultStack.docker("run", "--rm", "--network=none", job.imageUrl()).trim()).isEqualTo(job.marker);
    assertNothingRunning();
  }

  @Test
  @Order(2)
  void workerKilledMidBuild_restartedOnSameWorkdir_staleWorkspaceRemovedJobCompletes() throws Exception {
    Job job = stack.job("killed", "sleep 20");
    job.start();
    stack.awaitStep(job, Step.BUILDING, Duration.ofSeconds(90));
    List<Path> during = stack.leftovers.workspaces();
    assertThat(during).as("the running job's workspace").hasSize(1);

    stack.worker.kill();
    assertThat(Files.exists(during.get(0))).as("left behind by the killed worker").isTrue();
    stack.startWorker();

    assertThat(Files.exists(during.get(0))).as("stale workspace removed at start").isFalse();
    assertThat(stack.worker.output()).contains("removed 1 stale workspace(s) under " + stack.workdir);
    JsonNode result = stack.awaitEndedOnce(job, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");
    // the orchestrator re-attaches to the restarted worker, which no longer knows the job: it runs again there
    assertThat(result.path("logs").asText()).contains(job.marker);
    assertThat(FaultStack.docker("run", "--rm", "--network=none", job.imageUrl()).trim()).isEqualTo(job.marker);
    assertNothingRunning();
  }

  private static void assertNothingRunning() {
    stack.awaitTrue("no running execution on the private Temporal", Duration.ofSeconds(30),
        () -> stack.client.listExecutions("ExecutionStatus = 'Running'").count() == 0);
  }
}
