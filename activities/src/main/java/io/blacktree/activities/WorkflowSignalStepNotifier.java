package io.blacktree.activities;

import io.blacktree.core.JobStep;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signals {@code stepChanged} to the workflow run through an untyped stub. The payload is
 * {@link StepSignal}, which has the field names of the workflow's own {@code StepUpdate} record, so the
 * default JSON converter maps one onto the other (activities must not depend on the workflow module).
 */
public final class WorkflowSignalStepNotifier implements StepNotifier {
  /** The workflow's signal method name. */
  public static final String SIGNAL_NAME = "stepChanged";
  private static final Logger log = LoggerFactory.getLogger(WorkflowSignalStepNotifier.class);

  private final WorkflowClient client;

  public WorkflowSignalStepNotifier(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public void stepChanged(String workflowId, String runId, int attempt, String worker, JobStep step) {
    try {
      WorkflowStub stub = client.newUntypedWorkflowStub(workflowId, Optional.ofNullable(runId), Optional.empty());
      stub.signal(SIGNAL_NAME, new StepSignal(attempt, worker, step));
    } catch (RuntimeException e) {
      log.warn("step signal to {} not delivered: {}", workflowId, e.toString());
    }
  }

  /** The signal payload; same shape as the workflow's {@code StepUpdate}. */
  public record StepSignal(int attempt, String worker, JobStep step) {}
}
