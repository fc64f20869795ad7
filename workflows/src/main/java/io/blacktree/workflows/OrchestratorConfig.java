package io.blacktree.workflows;

import io.blacktree.activities.WorkerChannels;
import io.blacktree.core.Names;
import java.time.Duration;
import java.util.List;

/**
 * The orchestrator's options ({@code blacktree orchestrator}); flag names in brackets.
 *
 * @param temporal              Temporal frontend {@code host:port} [--temporal], default 127.0.0.1:7233
 * @param namespace             [--namespace], default {@code default}
 * @param workers               the build workers this replica owns, {@code host:port} each [--workers]
 * @param amqp                  RabbitMQ URL for results [--amqp], default amqp://guest:guest@127.0.0.1:5672
 * @param deployTaskQueue       workflow (and publish) task queue [--deploy-task-queue], blacktree-deploy
 * @param dispatchTaskQueue     dispatch task queue [--dispatch-task-queue], blacktree-dispatch
 * @param resultsExchange       [--results-exchange], jobs.results
 * @param jobTimeLimit          [--job-time-limit], 30 min
 * @param queueTtl              [--queue-ttl], 2 h
 * @param heartbeatTimeout      [--heartbeat-timeout], 20 s
 * @param heartbeatInterval     [--heartbeat-interval], 2 s
 * @param maxHeartbeatThrottle  [--max-heartbeat-throttle], 1 s
 * @param maxAttempts           [--max-attempts], 4
 * @param totalTime             [--total-time], 3 h
 * @param initialBackoff        [--initial-backoff], 10 s
 * @param maxBackoff            [--max-backoff], 5 min
 * @param stickyScheduleToStart [--sticky-schedule-to-start], 5 s (0 against Temporal's Java test server)
 * @param healthCheckInterval   [--health-check-interval], 2 s
 * @param workerLink            TLS/mTLS and bearer token towards the workers [--worker-tls-ca -> tlsCa,
 *                              --worker-tls-cert -> tlsCert, --worker-tls-key -> tlsKey,
 *                              --worker-auth-token-file -> authTokenFile; env BLACKTREE_AUTH_TOKEN], default none
 * @param hostId                this build host's identity [--host-id], default the machine's host name: names
 *                              the host's own dispatch queue and is recorded on the jobs it runs
 * @param affinityWait          how long a job waits for the host that last built its repository before any free
 *                              host takes it [--affinity-wait], 10 s; zero turns cache affinity off
 */
public record OrchestratorConfig(
    String temporal,
    String namespace,
    List<String> workers,
    String amqp,
    String deployTaskQueue,
    String dispatchTaskQueue,
    String resultsExchange,
    Duration jobTimeLimit,
    Duration queueTtl,
    Duration heartbeatTimeout,
    Duration heartbeatInterval,
    Duration maxHeartbeatThrottle,
    int maxAttempts,
    Duration totalTime,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration stickyScheduleToStart,
    Duration healthCheckInterval,
    WorkerChannels.Settings workerLink,
    String hostId,
    Duration affinityWait) {

  /** The default of {@code --affinity-wait}. */
  public static final Duration DEFAULT_AFFINITY_WAIT = Duration.ofSeconds(10);

  public OrchestratorConfig {
    workerLink = workerLink == null ? WorkerChannels.Settings.none() : workerLink;
    hostId = hostId == null ? localHostId() : hostId;
    affinityWait = affinityWait == null ? DEFAULT_AFFINITY_WAIT : affinityWait;
  }

  /** The config with a plaintext, token-less worker link. */
  public OrchestratorConfig(String temporal, String namespace, List<String> workers, String amqp,
      String deployTaskQueue, String dispatchTaskQueue, String resultsExchange, Duration jobTimeLimit,
      Duration queueTtl, Duration heartbeatTimeout, Duration heartbeatInterval, Duration maxHeartbeatThrottle,
      int maxAttempts, Duration totalTime, Duration initialBackoff, Duration maxBackoff,
      Duration stickyScheduleToStart, Duration healthCheckInterval) {
    this(temporal, namespace, workers, amqp, deployTaskQueue, dispatchTaskQueue, resultsExchange, jobTimeLimit,
        queueTtl, heartbeatTimeout, heartbeatInterval, maxHeartbeatThrottle, maxAttempts, totalTime, initialBackoff,
        maxBackoff, stickyScheduleToStart, healthCheckInterval, WorkerChannels.Settings.none(), null, null);
  }

  /** This config with another worker link. */
  public OrchestratorConfig withWorkerLink(WorkerChannels.Settings link) {
    return new OrchestratorConfig(temporal, namespace, workers, amqp, deployTaskQueue, dispatchTaskQueue,
        resultsExchange, jobTimeLimit, queueTtl, heartbeatTimeout, heartbeatInterval, maxHeartbeatThrottle,
        maxAttempts, totalTime, initialBackoff, maxBackoff, stickyScheduleToStart, healthCheckInterval, link, hostId,
        affinityWait);
  }

  /** This config as build host {@code id} with cache-affinity wait {@code wait} (zero: off). */
  public OrchestratorConfig withAffinity(String id, Duration wait) {
    return new OrchestratorConfig(temporal, namespace, workers, amqp, deployTaskQueue, dispatchTaskQueue,
        resultsExchange, jobTimeLimit, queueTtl, heartbeatTimeout, heartbeatInterval, maxHeartbeatThrottle,
        maxAttempts, totalTime, initialBackoff, maxBackoff, stickyScheduleToStart, healthCheckInterval, workerLink,
        id, wait);
  }

  /** This build host's own dispatch task queue (cache affinity). */
  public String hostDispatchTaskQueue() {
    return Names.hostDispatchQueue(dispatchTaskQueue, hostId);
  }

  /**
   * The default host ID: the machine's host name (a Kubernetes pod's name) with every character outside
   * {@code [A-Za-z0-9_.-]} replaced by {@code -}; {@code localhost} when it cannot be read.
   */
  public static String localHostId() {
    String name;
    try {
      name = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      name = System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
    String id = name.replaceAll("[^A-Za-z0-9_.-]", "-");
    return Names.HOST_ID.matcher(id).matches() ? id : "localhost";
  }

  /** The defaults (docs/workflow.md, timeouts and bounds) for the given workers. */
  public static OrchestratorConfig defaults(List<String> workers) {
    return new OrchestratorConfig("127.0.0.1:7233", "default", List.copyOf(workers),
        "amqp://guest:guest@127.0.0.1:5672", Names.DEPLOY_TASK_QUEUE, Names.DISPATCH_TASK_QUEUE,
        Names.RESULTS_EXCHANGE, Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofSeconds(20),
        Duration.ofSeconds(2), Duration.ofSeconds(1), 4, Duration.ofHours(3), Duration.ofSeconds(10),
        Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofSeconds(2));
  }

  /** The workflow's part of this config. */
  public DeployJobOptions workflowOptions() {
    return new DeployJobOptions(dispatchTaskQueue, jobTimeLimit, queueTtl, heartbeatTimeout, maxAttempts, totalTime,
        initialBackoff, maxBackoff, Duration.ofDays(1), affinityWait);
  }
}
