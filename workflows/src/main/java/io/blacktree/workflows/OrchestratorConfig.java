package io.blacktree.workflows;

import io.blacktree.activities.WorkerChannels;
import io.blacktree.core.Names;
import java.time.Duration;
import java.util.List;

/**
 * The orchestrator's options ({@code blacktree orchestrator}), made by {@link #builder()}, which holds every
 * default (the workflow's from {@link DeployJobOptions#defaults()}). Flag names in brackets; the Temporal and
 * RabbitMQ connections are the caller's clients, not part of this config.
 *
 * @param workers               the build workers this replica owns, {@code host:port} each [--workers]
 * @param deployTaskQueue       workflow (and publish) task queue [--deploy-task-queue]
 * @param dispatchTaskQueue     dispatch task queue [--dispatch-task-queue]
 * @param resultsExchange       [--results-exchange]
 * @param jobTimeLimit          [--job-time-limit]
 * @param queueTtl              [--queue-ttl]
 * @param heartbeatTimeout      [--heartbeat-timeout]
 * @param heartbeatInterval     [--heartbeat-interval]
 * @param maxHeartbeatThrottle  [--max-heartbeat-throttle]
 * @param maxAttempts           [--max-attempts]
 * @param totalTime             [--total-time]
 * @param initialBackoff        [--initial-backoff]
 * @param maxBackoff            [--max-backoff]
 * @param stickyScheduleToStart [--sticky-schedule-to-start] (0 against Temporal's Java test server)
 * @param healthCheckInterval   [--health-check-interval]
 * @param workerLink            TLS/mTLS and bearer token towards the workers [--worker-tls-ca -> tlsCa,
 *                              --worker-tls-cert -> tlsCert, --worker-tls-key -> tlsKey,
 *                              --worker-auth-token-file -> authTokenFile; env BLACKTREE_AUTH_TOKEN]
 * @param hostId                this build host's identity [--host-id], default the machine's host name: names
 *                              the host's own dispatch queue and is recorded on the jobs it runs
 * @param affinityWait          how long a job waits for the host that last built its repository before any free
 *                              host takes it [--affinity-wait]; zero turns cache affinity off
 */
public record OrchestratorConfig(
    List<String> workers,
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

  public OrchestratorConfig {
    workers = List.copyOf(workers);
  }

  /** A builder holding every default (docs/workflow.md, timeouts and bounds); no workers yet. */
  public static Builder builder() {
    return new Builder();
  }

  /** The workflow's part of this config. */
  public DeployJobOptions workflowOptions() {
    return new DeployJobOptions(dispatchTaskQueue, jobTimeLimit, queueTtl, heartbeatTimeout, maxAttempts, totalTime,
        initialBackoff, maxBackoff, DeployJobOptions.defaults().publishRetention(), affinityWait);
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

  /** Builds an {@link OrchestratorConfig}: every option starts at its default, written here or in the workflow's. */
  public static final class Builder {
    private static final DeployJobOptions WORKFLOW = DeployJobOptions.defaults();
    private List<String> workers = List.of();
    private String deployTaskQueue = Names.DEPLOY_TASK_QUEUE;
    private String dispatchTaskQueue = WORKFLOW.dispatchTaskQueue();
    private String resultsExchange = Names.RESULTS_EXCHANGE;
    private Duration jobTimeLimit = WORKFLOW.jobTimeLimit();
    private Duration queueTtl = WORKFLOW.queueTtl();
    private Duration heartbeatTimeout = WORKFLOW.heartbeatTimeout();
    private Duration heartbeatInterval = Duration.ofSeconds(2);
    private Duration maxHeartbeatThrottle = Duration.ofSeconds(1);
    private int maxAttempts = WORKFLOW.maxAttempts();
    private Duration totalTime = WORKFLOW.totalTime();
    private Duration initialBackoff = WORKFLOW.initialBackoff();
    private Duration maxBackoff = WORKFLOW.maxBackoff();
    private Duration stickyScheduleToStart = Duration.ofSeconds(5);
    private Duration healthCheckInterval = Duration.ofSeconds(2);
    private WorkerChannels.Settings workerLink = WorkerChannels.Settings.none();
    private String hostId = localHostId();
    private Duration affinityWait = Duration.ofSeconds(10);

    private Builder() {}

    public Builder workers(List<String> v) { workers = List.copyOf(v); return this; }
    public Builder deployTaskQueue(String v) { deployTaskQueue = v; return this; }
    public Builder dispatchTaskQueue(String v) { dispatchTaskQueue = v; return this; }
    public Builder resultsExchange(String v) { resultsExchange = v; return this; }
    public Builder jobTimeLimit(Duration v) { jobTimeLimit = v; return this; }
    public Builder queueTtl(Duration v) { queueTtl = v; return this; }
    public Builder heartbeatTimeout(Duration v) { heartbeatTimeout = v; return this; }
    public Builder heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
    public Builder maxHeartbeatThrottle(Duration v) { maxHeartbeatThrottle = v; return this; }
    public Builder maxAttempts(int v) { maxAttempts = v; return this; }
    public Builder totalTime(Duration v) { totalTime = v; return this; }
    public Builder initialBackoff(Duration v) { initialBackoff = v; return this; }
    public Builder maxBackoff(Duration v) { maxBackoff = v; return this; }
    public Builder stickyScheduleToStart(Duration v) { stickyScheduleToStart = v; return this; }
    public Builder healthCheckInterval(Duration v) { healthCheckInterval = v; return this; }
    public Builder workerLink(WorkerChannels.Settings v) { workerLink = v; return this; }
    public Builder hostId(String v) { hostId = v; return this; }
    public Builder affinityWait(Duration v) { affinityWait = v; return this; }

    public OrchestratorConfig build() {
      return new OrchestratorConfig(workers, deployTaskQueue, dispatchTaskQueue, resultsExchange, jobTimeLimit,
          queueTtl, heartbeatTimeout, heartbeatInterval, maxHeartbeatThrottle, maxAttempts, totalTime,
          initialBackoff, maxBackoff, stickyScheduleToStart, healthCheckInterval, workerLink, hostId, affinityWait);
    }
  }
}
