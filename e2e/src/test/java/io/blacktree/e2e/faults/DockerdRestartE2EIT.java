package io.blacktree.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.e2e.faults.FaultStack.Job;
import io.blacktree.proto.worker.v1.Step;
import io.temporal.api.enums.v1.EventType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build worker's Docker engine restarted mid-build: the worker runs on a {@code dockerd} of the test's own
 * ({@link PrivateDockerd}, so the shared engine is never stopped), which gets SIGTERM while the job's RUN step
 * runs and is started again on the same data. The job is retried ({@code DOCKER_UNAVAILABLE} is transient) and
 * completes once; no container is left on the private engine.
 */
@Disabled("known worker bug (issue 9): when dockerd is stopped mid-RUN it often kills the RUN container and "
    + "reports 'returned a non-zero code: 137' before closing the stream, which the worker classifies "
    + "BUILD_FAILED (not retried); when it does retry, the interrupted build's stopped intermediate container "
    + "is left on the engine. Enable once the worker checks the engine after a 137 and prunes its build leftovers.")
class DockerdRestartE2EIT {
  private static final Duration JOB_BOUND = Duration.ofSeconds(240);

  @TempDir static Path dir;
  static PrivateDockerd dockerd;
  static FaultStack stack;

  @BeforeAll
  static void start() throws Exception {
    dockerd = new PrivateDockerd();
    dockerd.start();
    stack = FaultStack.start(DockerdRestartE2EIT.class, dir, new FaultStack.Options(null, dockerd.host(), false));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (stack != null) {
        stack.close();
      }
    } finally {
      if (dockerd != null) {
        dockerd.close();
      }
    }
  }

  @Test
  void dockerdRestarted_midBuild_retriedCompletesOnceNoContainerLeft() throws Exception {
    Job job = stack.job("dockerd", "sleep 15");
    job.start();
    stack.awaitStep(job, Step.BUILDING, Duration.ofSeconds(90));
    stack.awaitTrue("the RUN container on the private engine", Duration.ofSeconds(60),
        () -> !stack.containersOf(job).isEmpty());

    dockerd.stop();
    dockerd.start();
    // the interrupted build's intermediate container, stopped by the engine's shutdown, survives the restart
    // (the legacy builder removes it only when the build ends, and the worker does not prune it): known gap
    String crashLeftovers = stack.engine("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}} {{.Command}}");
    Set<String> leftoverIds = crashLeftovers.lines().filter(l -> !l.isBlank()).map(l -> l.split(" ")[0])
        .collect(Collectors.toSet());
    assertThat(crashLeftovers.lines().filter(l -> !l.isBlank()).map(l -> l.split(" ")[1]).toList())
        .as("containers right after the restart: %s", crashLeftovers).allMatch(st -> !st.equals("running"))
        .hasSizeLessThanOrEqualTo(1);

    JsonNode result = stack.awaitEndedOnce(job, JOB_BOUND, leftoverIds);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");
    assertThat(result.path("attempts").asInt()).as("retried").isBetween(2, FaultStack.MAX_ATTEMPTS);
    List<String> failures = stack.client.fetchHistory(job.workflowId).getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED)
        .map(e -> e.getActivityTaskFailedEventAttributes().getFailure().getApplicationFailureInfo().getType())
        .toList();
    assertThat(failures).as("activity failures").contains("DOCKER_UNAVAILABLE").doesNotContain("BUILD_FAILED");
    assertThat(stack.engine("ps", "-a", "-q", "--no-trunc").lines().filter(l -> !l.isBlank()).toList())
        .as("containers on the private engine besides the crash's stopped one: %s", crashLeftovers)
        .allMatch(leftoverIds::contains);
    assertThat(stack.engine("ps", "-q").trim()).as("running containers on the private engine").isEmpty();
    assertThat(FaultStack.docker("run", "--rm", "--network=none", job.imageUrl()).trim()).isEqualTo(job.marker);
  }
}
