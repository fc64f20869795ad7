package io.blacktree.workflows;

import io.blacktree.core.Defaults;
import io.blacktree.core.Names;
import java.time.Duration;

/**
 * The workflow's timeouts and bounds (docs/workflow.md, timeouts and bounds). Workflow code never reads config:
 * the orchestrator builds one of these from its Config and registers the workflow through a factory
 * ({@code new DeployJobWorkflowImpl(options)}), the same value on every replay of a given worker.
 * Changing a duration between deployments is replay-safe: Temporal matches commands by type and ID,
 * not by timeout values.
 *
 * @param dispatchTaskQueue  where the dispatch activity runs ({@code blacktree-dispatch})
 * @param jobTimeLimit       RunJob deadline and the worker's limit; dispatch start-to-close is this + 1 min
 * @param queueTtl           dispatch schedule-to-start: waiting for a free worker ({@code NO_WORKER} after)
 * @param heartbeatTimeout   dispatch heartbeat timeout
 * @param maxAttempts        attempts in all
 * @param totalTime          no new attempt starts after this much time since the job started
 * @param initialBackoff     first wait between attempts, doubled each time
 * @param maxBackoff         cap of that wait
 * @param publishRetention   how long the publish activity keeps retrying a broker outage
 * @param affinityWait       how long a job's first dispatch is offered to the build host that last built its
 *                           repository before any free host may take it; zero: no cache affinity (the default
 *                           here, for a worker registered by class with no affinity lookup; the orchestrator passes
 *                           its {@code --affinity-wait})
 */
public record DeployJobOptions(
    String dispatchTaskQueue,
    Duration jobTimeLimit,
    Duration queueTtl,
    Duration heartbeatTimeout,
    int maxAttempts,
    Duration totalTime,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration publishRetention,
    Duration affinityWait) {

  /** The defaults of docs/workflow.md's timeouts table. */
  public static DeployJobOptions defaults() {
    return new DeployJobOptions(Names.DISPATCH_TASK_QUEUE, Defaults.JOB_TIME_LIMIT,
        Duration.ofHours(2), Duration.ofSeconds(20), 4, Duration.ofHours(3), Duration.ofSeconds(10),
        Duration.ofMinutes(5), Duration.ofDays(1), Duration.ZERO);
  }
}
