package io.blacktree.cli;

import io.blacktree.core.Readiness;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import java.io.IOException;
import org.slf4j.LoggerFactory;

/**
 * What a long-running command sets up for operations, once, before its clients: the log format, the one
 * metrics registry (with the Temporal SDK's scope, {@link #temporalExtras}), and, after the app started, the
 * {@link OpsServer} on {@code --metrics-port} with the app's {@link Readiness}.
 */
final class Ops {
  private final OpsOptions options;
  private final Metrics metrics;
  private final Tracing tracing;
  private OpsServer server;

  private Ops(OpsOptions options, Metrics metrics, Tracing tracing) {
    this.options = options;
    this.metrics = metrics;
    this.tracing = tracing;
  }

  /**
   * Applies {@code --log-format}, builds the registry and the tracing of {@code serviceName}.
   *
   * @throws CliException exit 2 for a bad {@code --otlp-endpoint}
   */
  static Ops start(OpsOptions options, String serviceName) throws CliException {
    options.applyLogFormat();
    return new Ops(options, new Metrics(), options.tracing(serviceName));
  }

  /** Where this process's spans go (a no-op tracer when tracing is off). */
  Tracer tracer() {
    return tracing.tracer();
  }

  MeterRegistry registry() {
    return metrics.registry();
  }

  /**
   * {@code base} with the Temporal stubs reporting into this registry, the trace context carried in Temporal
   * headers and a span per activity execution on workers built on these clients.
   */
  TemporalExtras temporalExtras(TemporalExtras base) {
    return tracing.temporalExtras(base.withMetricsScope(metrics.temporalScope()));
  }

  /**
   * Serves {@code /metrics} and {@code /health/*} when {@code --metrics-port} is set.
   *
   * @throws CliException exit 2 when the port cannot be bound
   */
  void serve(Readiness readiness) throws CliException {
    if (!options.metricsEnabled()) {
      return;
    }
    try {
      server = OpsServer.start(options.metricsBind, options.metricsPort, metrics::scrape, readiness);
    } catch (IOException e) {
      throw CliException.badInput("--metrics-port " + options.metricsPort + ": " + e.getMessage());
    }
  }

  /** {@code app}, then the ops server and the registry, closed in that order. */
  AutoCloseable around(AutoCloseable app) {
    return () -> {
      try {
        app.close();
      } finally {
        close();
      }
    };
  }

  /** Stops the server and the Temporal scope, and flushes the spans still buffered. */
  void close() {
    if (server != null) {
      server.close();
    }
    tracing.close();
    try {
      metrics.close();
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(Ops.class).debug("closing metrics: {}", e.toString());
    }
  }
}
