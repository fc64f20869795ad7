package io.blacktree.workflows;

import com.uber.m3.tally.Scope;
import com.uber.m3.util.ImmutableMap;
import io.blacktree.core.ErrorKind;
import io.temporal.workflow.Workflow;

/**
 * Counts each DeployJob's end in the workflow's Temporal metrics scope (so never twice on replay), which the
 * orchestrator reports into its Micrometer registry: {@code blacktree_orchestrator_jobs_total{outcome,
 * error_kind}}, {@code blacktree_orchestrator_job_attempts_total{outcome}} (attempts the job took) and the
 * timer {@code blacktree_orchestrator_job_duration_seconds{outcome}} (start of the first attempt to the end),
 * each also tagged by Temporal with namespace, task queue and workflow type.
 */
final class JobOutcomeMetrics {
  private JobOutcomeMetrics() {}

  /** Records one finished job; {@code kind} null on success. */
  static void record(String outcome, ErrorKind kind, int attempts, long startMillis) {
    Scope scope = Workflow.getMetricsScope().tagged(ImmutableMap.of("outcome", outcome,
        "error_kind", kind == null ? "none" : kind.name()));
    scope.counter("blacktree_orchestrator_jobs").inc(1);
    scope.counter("blacktree_orchestrator_job_attempts").inc(attempts);
    scope.timer("blacktree_orchestrator_job_duration")
        .record(com.uber.m3.util.Duration.ofMillis(Math.max(0, Workflow.currentTimeMillis() - startMillis)));
  }
}
