package io.blacktree.e2e;

import static io.blacktree.e2e.support.BlacktreeStack.app;
import static io.blacktree.e2e.support.BlacktreeStack.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.e2e.support.BlacktreeStack;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.Docker;
import io.blacktree.proto.worker.v1.WorkerState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's life as ops see it, with worker, orchestrator and bridge as real processes: a request on the build
 * queue becomes an image that runs and a result message; {@code blacktree jobs list/logs/show/retry/cancel}
 * report and steer it.
 */
class JobsLifecycleE2EIT {
  private static final Duration JOB_BOUND = Duration.ofSeconds(120);

  @TempDir static Path dir;
  static BlacktreeStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = BlacktreeStack.start(JobsLifecycleE2EIT.class, dir);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
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
