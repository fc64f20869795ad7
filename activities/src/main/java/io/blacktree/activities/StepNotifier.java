package io.blacktree.activities;

import io.blacktree.core.JobStep;

/**
 * Tells the workflow that the running attempt changed step. Delivery is best effort: a lost notice only
 * delays the {@code BlacktreeStep} search attribute (heartbeats carry the step too).
 */
@FunctionalInterface
public interface StepNotifier {

  void stepChanged(String workflowId, String runId, int attempt, String worker, JobStep step);
}
