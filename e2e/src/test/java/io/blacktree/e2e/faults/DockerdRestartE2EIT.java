package io.blacktree.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.proto.worker.v1.Step;
import io.temporal.api.enums.v1.EventType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build worker's Docker engine restarted mid-build: the worker runs on a {@code dockerd} of the test's own
 * ({@link PrivateDockerd}, so the shared engine is never stopped), which gets SIGTERM while the job's RUN step
 * runs and is started again on the same data. The job is retried ({@code DOCKER_UNAVAILABLE} is transient) and
 * completes once; no container is left on the private engine: the worker removes the interrupted build's
 * stopped intermediate container (seen in the build stream) once the engine is back.
 */
class DockerdRestartE2EIT {
  private static final Duration JOB_BOUND = Duration.ofSeconds(240);

  @TempDir static Path dir;
  static PrivateDockerd dockerd;
  static FaultStack stack;

  @BeforeAll
  static void start() throws Exception {
    dockerd = new PrivateDockerd();
    stack = FaultStack.startOn(DockerdRestartE2EIT.class, dir, dockerd);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void dockerdRestarted_midBuild_retriedCompletesOnceNoContainerLeft() throws Exception {
    Job job = stack.job("dockerd", "sleep 15");
    job.start();
    stack.awaitStep(job, Step.BUILDING, Duration.ofSeconds(90));
    stack.awaitTrue("the RUN container on the private engine", Duration.ofSeconds(60),
        () -> !stack.leftovers.containersOf(job).isEmpty());

    dockerd.stop();
    dockerd.start();
    // the interrupted build's intermediate container, stopped by the engine's shutdown, may survive the
    // restart (the classic builder removes it only when the build ends): the worker removes it
    String crashLeftovers =
        stack.leftovers.engine("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}} {{.Command}}");
    assertThat(crashLeftovers.lines().filter(l -> !l.isBlank()).map(l -> l.split(" ")[1]).toList())
        .as("containers right after the restart: %s", crashLeftovers).allMatch(st -> !st.equals("running"))
        .hasSizeLessThanOrEqualTo(1);

    JsonNode result = stack.awaitEndedOnce(job, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");
    assertThat(result.path("attempts").asInt()).as("retried").isBetween(2, FaultStack.MAX_ATTEMPTS);
    List<String> failures = stack.client.fetchHistory(job.workflowId).getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED)
        .map(e -> e.getActivityTaskFailedEventAttributes().getFailure().getApplicationFailureInfo().getType())
        .toList();
    assertThat(failures).as("activity failures").contains("DOCKER_UNAVAILABLE").doesNotContain("BUILD_FAILED");
    assertThat(stack.leftovers.engine("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}} {{.Command}}").trim())
        .as("containers on the private engine (right after the restart: %s)", crashLeftovers).isEmpty();
    // built on the private engine: the shared engine pulls it from the registry (quietly, apart from the run)
    FaultStack.docker("pull", "-q", job.imageUrl());
    try {
      assertThat(FaultStack.docker("run", "--rm", "--network=none", job.imageUrl()).trim()).isEqualTo(job.marker);
    } finally {
      FaultStack.docker("rmi", job.imageUrl());
    }
  }
}
