package io.blacktree.activities;

/**
 * Tells the workflow that the running attempt changed step. Delivery is best effort: a lost notice only
 * delays the {@code BlacktreeStep} search attribute (heartbeats carry the step too).
 */
@FunctionalInterface
public interface StepNotifier {

  /** @param step queued, cloning, building, pushing or done */
  void stepChanged(String workflowId, String runId, int attempt, String worker, String step);
}
