package io.blacktree.cli;

import picocli.CommandLine.Option;

/**
 * The operations flags of the long-running commands ({@code worker}, {@code orchestrator}, {@code bridge},
 * {@code dev}): where {@link OpsServer} serves {@code /metrics}, {@code /health/live} and {@code /health/ready},
 * and the log line format.
 */
final class OpsOptions {
  @Option(names = "--metrics-port", defaultValue = "0", paramLabel = "PORT",
      description = "Serve /metrics (Prometheus), /health/live and /health/ready on this port; 0 = off "
          + "(default: ${DEFAULT-VALUE}; env BLACKTREE_METRICS_PORT).")
  int metricsPort;

  @Option(names = "--metrics-bind", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
      description = "Address the metrics/health port binds to (default: ${DEFAULT-VALUE}; env BLACKTREE_METRICS_BIND).")
  String metricsBind;

  @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
      description = "Log lines on stderr: text, or json (one object per line with ts, level, logger, msg and the "
          + "job's workflow_id, job_id, attempt, worker) (default: ${DEFAULT-VALUE}; env BLACKTREE_LOG_FORMAT).")
  LogFormat logFormat;

  /** Switches the log format; call first thing in a command, before it logs. */
  void applyLogFormat() {
    logFormat.apply();
  }

  boolean metricsEnabled() {
    return metricsPort > 0;
  }
}
