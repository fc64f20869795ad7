package io.blacktree.core;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trace context as plain string headers (W3C {@code traceparent} / {@code tracestate}), the one form every
 * carrier of a job uses: AMQP message headers, Temporal headers and gRPC metadata each copy these entries
 * in and out. With no span in the context there are no headers, and no headers give the root context.
 */
public final class TraceHeaders {
  private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private TraceHeaders() {
  }

  /** The header names a carrier has to copy ({@code traceparent}, {@code tracestate}). */
  public static Iterable<String> names() {
    return W3C.fields();
  }

  /** The headers that carry {@code context}'s span; empty when it has no valid span. */
  public static Map<String, String> of(Context context) {
    Map<String, String> headers = new LinkedHashMap<>();
    W3C.inject(context, headers, (carrier, key, value) -> carrier.put(key, value));
    return headers;
  }

  /** The context whose remote parent these headers name; the root context when they name none. */
  public static Context parentOf(Map<String, String> headers) {
    return W3C.extract(Context.root(), headers, GETTER);
  }
}
