package io.blacktree.cli;

import io.blacktree.workflows.ActivityTracing;
import io.blacktree.workflows.TraceContextPropagator;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One process's tracing: the OpenTelemetry SDK exporting by OTLP/HTTP to a collector, or off. Built once in a
 * command and passed down as a {@link Tracer}; {@link #close} flushes what is still buffered.
 */
final class Tracing implements AutoCloseable {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final OpenTelemetry openTelemetry;
  private final SdkTracerProvider provider;

  private Tracing(OpenTelemetry openTelemetry, SdkTracerProvider provider) {
    this.openTelemetry = openTelemetry;
    this.provider = provider;
  }

  /** No spans recorded. */
  static Tracing off() {
    return new Tracing(OpenTelemetry.noop(), null);
  }

  /**
   * Spans of {@code serviceName} exported in batches to {@code endpoint} ({@code http(s)://host:port}; the
   * {@code /v1/traces} path is added when the URL has no path).
   */
  static Tracing otlp(String endpoint, String serviceName) {
    URI uri = URI.create(endpoint);
    if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
      throw new IllegalArgumentException("must be an http(s)://host:port URL");
    }
    String path = uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/")
        ? "/v1/traces" : uri.getPath();
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(uri.getScheme() + "://" + uri.getAuthority() + path)
        .setTimeout(Duration.ofSeconds(5))
        .build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, serviceName))))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(500)).build())
        .build();
    return new Tracing(OpenTelemetrySdk.builder().setTracerProvider(provider).build(), provider);
  }

  Tracer tracer() {
    return openTelemetry.getTracer("io.blacktree");
  }

  /**
   * {@code base} with the trace context carried in Temporal headers and, for whoever builds Temporal workers on
   * these clients, a span per activity execution.
   */
  TemporalExtras temporalExtras(TemporalExtras base) {
    return base.withTracing(new TraceContextPropagator(), null, new ActivityTracing(tracer()));
  }

  @Override
  public void close() {
    if (provider != null) {
      provider.forceFlush().join(5, TimeUnit.SECONDS);
      provider.shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
