package io.blacktree.workflows;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blacktree.core.DeployResult;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Replays histories recorded from real runs (see {@link HistoryRecorder}) against the current code. */
class DeployJobReplayTest {

  @ParameterizedTest
  @ValueSource(strings = {"success", "permanent-failure", "transient-then-success", "cancellation"})
  void replay_recordedHistory_isDeterministic(String name) {
    assertThatCode(() -> WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", DeployJobWorkflowImpl.class)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"success", "transient-then-success"})
  void replay_changedWorkflow_failsNonDeterministic(String name) {
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/" + name + ".json", TimerBeforeDispatch.class))
        .hasStackTraceContaining("NonDeterministicException");
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
