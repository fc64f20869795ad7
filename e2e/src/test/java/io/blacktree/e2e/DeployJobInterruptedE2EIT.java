package io.blacktree.e2e;

import io.blacktree.core.JobStatus;
import static io.blacktree.e2e.support.BlacktreeStack.run;
import static io.blacktree.e2e.support.DeployJobStack.dispatchScheduled;
import static io.blacktree.e2e.support.DeployJobStack.events;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.core.DeployResult;
import io.blacktree.e2e.support.BuildWorker;
import io.blacktree.e2e.support.DeployJobStack;
import io.blacktree.e2e.support.DeployJobStack.Job;
import io.blacktree.e2e.support.Docker;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A {@code DeployJob} interrupted mid-build on a {@link DeployJobStack} (two build workers and one orchestrator
 * as real child JVMs): the building worker killed (the job finishes on the other one, the restarted worker is
 * healthy again), the execution cancelled (worker FREE, no container left), the orchestrator killed and
 * restarted (it re-attaches to the running build instead of building again).
 */
class DeployJobInterruptedE2EIT extends DeployJobItBase {
  private static final Duration JOB_BOUND = Duration.ofSeconds(150);

  /** A started job whose RUN step prints a marker and sleeps 20 s, and the worker running it. */
  private record SlowJob(Job job, WorkflowStub stub, BuildWorker worker, String marker) {}

  /** Starts a slow job and waits until its RUN step runs on a worker. */
  private static SlowJob startSlowJob(String name, String markerPrefix) throws Exception {
    String marker = markerPrefix + System.nanoTime();
    Job job = stack.newJob(name, "v1", run("sh", "-c", "echo " + marker + "; sleep 20"));
    WorkflowStub stub = job.start();
    Docker.awaitContainer(marker, Duration.ofSeconds(90));
    return new SlowJob(job, stub, stack.awaitRunningWorker(job.workflowId), marker);
  }

  @Test
  void deployJob_workerKilledMidBuild_finishesOnTheOtherWorker() throws Exception {
    SlowJob slow = startSlowJob("killed", "slow-kill-");
    Job job = slow.job();
    WorkflowStub stub = slow.stub();
    BuildWorker victim = slow.worker();

    stack.kill(victim.process());

    DeployResult result = stub.getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class);
    assertThat(result.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(result.worker()).isNotEqualTo(victim.address());
    assertThat(result.attempts()).isEqualTo(2);
    List<HistoryEvent> history = stack.history(job.workflowId);
    HistoryEvent lost = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED).get(0);
    assertThat(lost.getActivityTaskFailedEventAttributes().getFailure().getApplicationFailureInfo().getType())
        .isEqualTo("WORKER_LOST");
    JsonNode message = stack.awaitResult(job.workflowId);
    assertThat(message.path("status").asText()).isEqualTo("SUCCESS");
    assertThat(message.path("worker").asText()).isEqualTo(result.worker());

    long healthyBefore = stack.healthyLines(victim);
    victim.start();
    stack.awaitTrue("restarted worker FREE", Duration.ofSeconds(60), victim::isFree);
    stack.awaitTrue("the orchestrator sees " + victim.address() + " healthy again", Duration.ofSeconds(150),
        () -> stack.healthyLines(victim) > healthyBefore);
  }

  @Test
  void deployJob_cancelledMidBuild_cancelledWorkerFreeNoContainerLeft() throws Exception {
    SlowJob slow = startSlowJob("cancel", "slow-cancel-");
    Job job = slow.job();
    WorkflowStub stub = slow.stub();
    BuildWorker running = slow.worker();

    stub.cancel();

    JsonNode message = stack.awaitResult(job.workflowId);
    assertThat(message.path("status").asText()).isEqualTo("CANCELLED");
    stack.awaitTrue("execution CANCELED", Duration.ofSeconds(60), () -> stub.describe().getStatus()
        == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    stack.awaitTrue(running.id + " FREE", Duration.ofSeconds(60), running::isFree);
    Docker.awaitNoContainer(slow.marker(), Duration.ofSeconds(60));
    assertThat(dispatchScheduled(stack.history(job.workflowId))).hasSize(1);
  }

  @Test
  void deployJob_orchestratorKilledAndRestartedMidJob_jobCompletes() throws Exception {
    SlowJob slow = startSlowJob("orch", "slow-orch-");
    Job job = slow.job();
    WorkflowStub stub = slow.stub();
    BuildWorker running = slow.worker();

    stack.kill(stack.orchestrator());
    stack.startOrchestrator();

    DeployResult result = stub.getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class);
    assertThat(result.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(result.worker()).isEqualTo(running.address());
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(result.logs()).contains(slow.marker());
    List<HistoryEvent> history = stack.history(job.workflowId);
    HistoryEvent lost = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).get(0);
    assertThat(lost.getActivityTaskTimedOutEventAttributes().getFailure().getTimeoutFailureInfo().getTimeoutType())
        .isEqualTo(TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    // re-attached, not rebuilt: the one build spans the outage, longer than the second dispatch lasted
    double[] second = dispatchInterval(history, dispatchScheduled(history).get(1));
    assertThat(result.stepMillis().get("building") / 1000.0).isGreaterThan(second[1] - second[0]);
    assertThat(Docker.runImage(result.imageUrl())).isEqualTo("orch");
    JsonNode message = stack.awaitResult(job.workflowId);
    assertThat(message.path("status").asText()).isEqualTo("SUCCESS");
  }

  // ---- Temporal

  /**
   * Seconds (event time) from the dispatch activity's start to its completion. Not a bound of the worker's job
   * for non-overlap checks: the activity hands its worker back just before its completion is recorded.
   */
  static double[] dispatchInterval(List<HistoryEvent> history, HistoryEvent scheduled) {
    long scheduledId = scheduled.getEventId();
    HistoryEvent started = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED).stream()
        .filter(e -> e.getActivityTaskStartedEventAttributes().getScheduledEventId() == scheduledId)
        .findFirst().orElseThrow();
    HistoryEvent completed = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED).stream()
        .filter(e -> e.getActivityTaskCompletedEventAttributes().getScheduledEventId() == scheduledId)
        .findFirst().orElseThrow();
    return new double[] {seconds(started), seconds(completed)};
  }

  private static double seconds(HistoryEvent e) {
    return e.getEventTime().getSeconds() + e.getEventTime().getNanos() / 1e9;
  }
}
