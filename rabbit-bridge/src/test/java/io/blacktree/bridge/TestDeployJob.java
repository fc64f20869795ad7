package io.blacktree.bridge;

import io.blacktree.core.JobStep;
import io.blacktree.core.JobStatus;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ReplyTarget;
import io.blacktree.workflow.api.DeployJobWorkflow;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in DeployJob for the bridge's ITs (the bridge only starts workflows): returns a SUCCESS result at
 * once, or, for branch {@code hold}, waits until a {@code stepChanged} signal with step {@code done}. The
 * {@code progress} query reports the number of reply targets as {@code attempt}.
 */
public class TestDeployJob implements DeployJobWorkflow {
  private final List<ReplyTarget> targets = new ArrayList<>();
  private JobStep step = JobStep.QUEUED;

  @Override
  public DeployResult run(DeployJobInput input) {
    targets.addAll(input.replyTargets());
    if ("hold".equals(input.request().branch())) {
      Workflow.await(() -> step == JobStep.DONE);
    }
    return new DeployResult(JobStatus.SUCCESS, Workflow.getInfo().getWorkflowId(), input.request().requestId(),
        "127.0.0.1:5000/" + input.request().ecrRepo() + ":" + input.request().deploymentVersion(), null, null,
        null, "test-worker", 1, null, null, null, null, null, null, null);
  }

  @Override
  public void stepChanged(StepUpdate update) {
    step = update.step();
  }

  @Override
  public void addReplyTarget(ReplyTarget target) {
    targets.add(target);
  }

  @Override
  public Progress progress() {
    return new Progress(targets.size(), null, step);
  }
}
