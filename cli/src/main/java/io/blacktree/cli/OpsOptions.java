package io.blacktree.cli;

import picocli.CommandLine.Option;

/**
 * The operations flags of the long-running commands ({@code worker}, {@code orchestrator}, {@code bridge},
 * {@code dev}): where {@link OpsServer} serves {@code /metrics}, {@code /health/live} and {@code /health/ready},
 * the log line format, and where trace spans go.
 */
final class OpsOptions {
  @Option(names = "--metrics-port", defaultValue = "0", paramLabel = "PORT",
      description = "Serve /metrics (Prometheus), /health/live and /health/ready on this port; 0 = off "
          + "(default: ${DEFAULT-VALUE}; env BLACKTREE_METRICS_PORT).")
  int metricsPort;

  @Option(names = "--metrics-bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "Address the metrics/health port binds to (default: ${DEFAULT-VALUE}, loopback only; another "
          + "address exposes /metrics and /health without authentication; env BLACKTREE_METRICS_BIND).")
  String metricsBind;

  @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
      description = "Log lines on stderr: text, or json (one object per line with ts, level, logger, msg and the "
          + "job's workflow_id, job_id, attempt, worker) (default: ${DEFAULT-VALUE}; env BLACKTREE_LOG_FORMAT).")
  LogFormat logFormat;

  @Option(names = "--otlp-endpoint", paramLabel = "URL",
      description = "Export trace spans by OTLP/HTTP (protobuf) to this collector, e.g. http://127.0.0.1:4318; "
          + "unset = tracing off, trace context still passed on (env BLACKTREE_OTLP_ENDPOINT).")
  String otlpEndpoint;

  /** Switches the log format; call first thing in a command, before it logs. */
  void applyLogFormat() {
    logFormat.apply();
  }

  /**
   * The tracing of one process, named {@code serviceName} in its spans' resource; off without an endpoint.
   *
   * @throws CliException exit 2 for an endpoint that is not an http(s) URL
   */
  Tracing tracing(String serviceName) throws CliException {
    if (otlpEndpoint == null || otlpEndpoint.isBlank()) {
      return Tracing.off();
    }
    try {
      return Tracing.otlp(otlpEndpoint.trim(), serviceName);
    } catch (IllegalArgumentException e) {
      throw CliException.badInput("--otlp-endpoint " + otlpEndpoint + ": " + e.getMessage());
    }
  }

  boolean metricsEnabled() {
    return metricsPort > 0;
  }
}
