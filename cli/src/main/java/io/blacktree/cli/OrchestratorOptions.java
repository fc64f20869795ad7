package io.blacktree.cli;

import io.blacktree.activities.WorkerChannels;
import io.blacktree.bridge.QueueNames;
import io.blacktree.core.Names;
import io.blacktree.workflows.OrchestratorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The orchestrator's own flags, shared by {@code orchestrator} and {@code dev}: each sets the
 * {@link OrchestratorConfig.Builder} method of its name ({@code --workers} -> workers, {@code --queue-ttl} ->
 * queueTtl); an absent flag keeps the builder's default. The job time limit comes from {@link JobLimitOptions},
 * the connections from {@link TemporalOptions} and {@link AmqpOptions}.
 */
final class OrchestratorOptions {
  @Option(names = "--workers", split = ",", paramLabel = "HOST:PORT",
      description = "The build workers this replica owns, comma-separated (required; dev: the worker it starts; "
          + "env BLACKTREE_WORKERS).")
  List<String> workers;

  @Option(names = "--deploy-task-queue", description = "Workflow and publish task queue (default blacktree-deploy).")
  String deployTaskQueue;

  @Option(names = "--dispatch-task-queue", description = "Dispatch activity task queue (default blacktree-dispatch).")
  String dispatchTaskQueue;

  @Option(names = "--results-exchange",
      description = "Exchange results go to (default jobs.results, with --queue-prefix in front).")
  String resultsExchange;

  @Option(names = "--queue-ttl", description = "How long a job may wait for a free worker (default PT2H).")
  Duration queueTtl;

  @Option(names = "--heartbeat-timeout", description = "Dispatch activity heartbeat timeout (default PT20S).")
  Duration heartbeatTimeout;

  @Option(names = "--heartbeat-interval", description = "Dispatch activity heartbeat interval (default PT2S).")
  Duration heartbeatInterval;

  @Option(names = "--max-heartbeat-throttle", description = "Longest heartbeat throttle (default PT1S).")
  Duration maxHeartbeatThrottle;

  @Option(names = "--max-attempts", description = "Attempts per job (default 4).")
  Integer maxAttempts;

  @Option(names = "--total-time", description = "Total time across attempts (default PT3H).")
  Duration totalTime;

  @Option(names = "--initial-backoff", description = "First wait between attempts, doubling (default PT10S).")
  Duration initialBackoff;

  @Option(names = "--max-backoff", description = "Longest wait between attempts (default PT5M).")
  Duration maxBackoff;

  @Option(names = "--sticky-schedule-to-start",
      description = "Sticky task queue schedule-to-start timeout (default PT5S; PT0S against the test server).")
  Duration stickyScheduleToStart;

  @Option(names = "--health-check-interval", description = "How often each worker's health is checked (default PT2S).")
  Duration healthCheckInterval;

  @Option(names = "--host-id", paramLabel = "ID",
      description = "This build host's identity: names its own dispatch queue for cache affinity ([A-Za-z0-9_.-], "
          + "default the machine's host name; give each build host its own).")
  String hostId;

  @Option(names = "--affinity-wait", paramLabel = "DURATION",
      description = "How long a job waits for the build host that last built its repository before any free host "
          + "takes it, ISO-8601 (default PT10S; PT0S turns cache affinity off).")
  Duration affinityWait;

  @Option(names = "--worker-tls-ca",
      description = "PEM CA bundle the workers' certificates must chain to: the links speak TLS.")
  Path workerTlsCa;

  @Option(names = "--worker-tls-cert",
      description = "PEM client certificate for workers that require one (mTLS; with --worker-tls-key).")
  Path workerTlsCert;

  @Option(names = "--worker-tls-key", description = "PEM PKCS#8 private key of --worker-tls-cert.")
  Path workerTlsKey;

  @Option(names = "--worker-auth-token-file",
      description = "File with the bearer token sent on every worker call (default env BLACKTREE_AUTH_TOKEN).")
  Path workerAuthTokenFile;

  @Option(names = "--insecure-workers",
      description = "Dial workers that are not on loopback in plaintext without a token anyway (default: refused; "
          + "anyone on the path could run jobs).")
  Boolean insecureWorkers;

  /**
   * The config: {@code base} (the defaults, or dev's) with the job time limit and each given flag over it; the
   * results exchange carries {@code --queue-prefix} unless given.
   *
   * @throws CliException exit 2 without a worker, for a worker that is not host:port, bad link settings or
   *                      fewer than one attempt
   */
  OrchestratorConfig toConfig(OrchestratorConfig.Builder base, AmqpOptions amqp, JobLimitOptions limits)
      throws CliException {
    OrchestratorConfig.Builder b = base.resultsExchange(QueueNames.withPrefix(amqp.queuePrefix()).resultsExchange());
    limits.applyTo(b::jobTimeLimit);
    Flags.set(workers == null || workers.isEmpty() ? null : workers, b::workers);
    Flags.set(deployTaskQueue, b::deployTaskQueue);
    Flags.set(dispatchTaskQueue, b::dispatchTaskQueue);
    Flags.set(resultsExchange, b::resultsExchange);
    Flags.set(queueTtl, b::queueTtl);
    Flags.set(heartbeatTimeout, b::heartbeatTimeout);
    Flags.set(heartbeatInterval, b::heartbeatInterval);
    Flags.set(maxHeartbeatThrottle, b::maxHeartbeatThrottle);
    Flags.set(maxAttempts, b::maxAttempts);
    Flags.set(totalTime, b::totalTime);
    Flags.set(initialBackoff, b::initialBackoff);
    Flags.set(maxBackoff, b::maxBackoff);
    Flags.set(stickyScheduleToStart, b::stickyScheduleToStart);
    Flags.set(healthCheckInterval, b::healthCheckInterval);
    Flags.set(hostId, b::hostId);
    Flags.set(affinityWait, b::affinityWait);
    b.workerLink(new WorkerChannels.Settings(workerTlsCa, workerTlsCert, workerTlsKey, workerAuthTokenFile,
        Boolean.TRUE.equals(insecureWorkers)));
    OrchestratorConfig config = b.build();
    if (config.workers().isEmpty()) {
      throw CliException.badInput("--workers is required (e.g. --workers 127.0.0.1:50051)");
    }
    for (String w : config.workers()) {
      if (!w.matches("[^\\s:]+:[0-9]{1,5}")) {
        throw CliException.badInput("--workers: '" + w + "' is not host:port");
      }
    }
    if (!config.workerLink().problems().isEmpty()) {
      throw CliException.badInput("invalid worker link options: " + String.join("; ", config.workerLink().problems()));
    }
    if (hostId != null && !Names.HOST_ID.matcher(hostId).matches()) {
      throw CliException.badInput("--host-id: '" + hostId + "' must match " + Names.HOST_ID.pattern());
    }
    if (affinityWait != null && affinityWait.isNegative()) {
      throw CliException.badInput("--affinity-wait must not be negative");
    }
    if (config.maxAttempts() < 1) {
      throw CliException.badInput("--max-attempts must be at least 1");
    }
    return config;
  }
}
