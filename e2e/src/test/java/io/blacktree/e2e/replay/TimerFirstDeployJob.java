package io.blacktree.e2e.replay;

import io.blacktree.core.DeployResult;
import io.blacktree.workflows.DeployJobWorkflowImpl;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * A deliberately incompatible change of the DeployJob workflow (a timer before the first dispatch, without
 * {@code Workflow.getVersion}), for {@code blacktree replay --workflow-class}: every recorded history must fail
 * to replay against it.
 */
public class TimerFirstDeployJob extends DeployJobWorkflowImpl {
  @Override
  public DeployResult run(DeployJobInput input) {
    Workflow.sleep(Duration.ofSeconds(1));
    return super.run(input);
  }
}
