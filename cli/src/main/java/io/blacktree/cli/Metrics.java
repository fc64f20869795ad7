package io.blacktree.cli;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;

/**
 * The process's one metrics registry (Prometheus), built once by the command: our {@code blacktree_*} meters,
 * and the Temporal SDK's {@code temporal_*} meters through a Tally scope reporting into it
 * ({@link #temporalScope()}, for the service stubs). Timers named {@code blacktree*} get histogram buckets.
 */
final class Metrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final Scope temporalScope;

  Metrics() {
    this(com.uber.m3.util.Duration.ofSeconds(1));
  }

  Metrics(com.uber.m3.util.Duration temporalReportInterval) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getName().startsWith("blacktree") && id.getType() == Meter.Type.TIMER) {
          return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
        }
        return config;
      }
    });
    this.temporalScope = new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(temporalReportInterval);
  }

  MeterRegistry registry() {
    return registry;
  }

  /** The Tally scope to set as the Temporal service stubs' metrics scope. */
  Scope temporalScope() {
    return temporalScope;
  }

  /** Everything in the Prometheus text format. */
  String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    try {
      temporalScope.close();
    } catch (com.uber.m3.tally.ScopeCloseException e) {
      // the last report is lost; the process is stopping
    } finally {
      registry.close();
    }
  }
}
