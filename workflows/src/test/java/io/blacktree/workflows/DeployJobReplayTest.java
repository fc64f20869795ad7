package io.blacktree.workflows;

import io.blacktree.workflow.api.DeployJobWorkflow.DeployJobInput;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blacktree.core.DeployResult;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays histories recorded from real runs (see {@link HistoryRecorder}) against the current code: those recorded
 * before a {@code Workflow.getVersion} change (the workflow upserting the start search attributes and memo itself;
 * dispatch without cache affinity) and those recorded after it ({@code affinity-*},
 * {@code start-tags-on-start-request}: the start request carries them).
 *
 * <p>The replay worker's deadlock detector is given 30 s instead of the SDK's 1 s: this test checks
 * determinism, and on a loaded 2-core machine the first replay's class loading alone can hold the
 * workflow thread for over a second (a false {@code PotentialDeadlockException}).
 */
class DeployJobReplayTest {

  private static final WorkerOptions REPLAY_OPTIONS =
      WorkerOptions.newBuilder().setDefaultDeadlockDetectionTimeout(30_000).build();

  private TestWorkflowEnvironment env;

  @BeforeEach
  void startEnvironment() {
    env = TestWorkflowEnvironment.newInstance();
  }

  @AfterEach
  void closeEnvironment() {
    env.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"success", "permanent-failure", "transient-then-success", "cancellation", "affinity-hit",
      "affinity-miss", "start-tags-on-start-request"})
  void replay_recordedHistory_isDeterministic(String name) {
    Worker worker = replayWorker(DeployJobWorkflowImpl.class);
    assertThatCode(() -> WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", worker)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"success", "transient-then-success"})
  void replay_changedWorkflow_failsNonDeterministic(String name) {
    Worker worker = replayWorker(TimerBeforeDispatch.class);
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", worker))
        .hasStackTraceContaining("NonDeterministicException");
  }

  private Worker replayWorker(Class<?> workflowClass) {
    Worker worker = env.newWorker("replay", REPLAY_OPTIONS);
    worker.registerWorkflowImplementationTypes(workflowClass);
    return worker;
  }

  /** A deliberately incompatible change: a timer before the first dispatch. */
  public static class TimerBeforeDispatch extends DeployJobWorkflowImpl {
    @Override
    public DeployResult run(DeployJobInput input) {
      Workflow.sleep(Duration.ofSeconds(1));
      return super.run(input);
    }
  }
}
