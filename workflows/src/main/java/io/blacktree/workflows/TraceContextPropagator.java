package io.blacktree.workflows;

import io.blacktree.core.TraceHeaders;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.context.ContextPropagator;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Carries the trace context through Temporal headers: the client that starts a workflow writes the current
 * span's {@code traceparent}; the workflow thread and every activity thread get it back as their current
 * OpenTelemetry context, so an activity's span is a child of the span that started the job and the activity
 * schedules with the same headers. Workflow code creates no span (replay stays deterministic: the headers a
 * workflow writes are the ones it was started with).
 *
 * <p>Registered in the {@code WorkflowClientOptions} of the bridge and of the orchestrator (whose workers use
 * their client's propagators).
 */
public final class TraceContextPropagator implements ContextPropagator {
  private static final DataConverter CONVERTER = DefaultDataConverter.STANDARD_INSTANCE;

  /** The scope this propagator opened on the current thread, closed when the next context is set. */
  private final ThreadLocal<Scope> opened = new ThreadLocal<>();

  @Override
  public String getName() {
    return "blacktree-trace";
  }

  @Override
  public Object getCurrentContext() {
    return TraceHeaders.of(Context.current());
  }

  @Override
  public void setCurrentContext(Object context) {
    Scope previous = opened.get();
    if (previous != null) {
      previous.close();
      opened.remove();
    }
    @SuppressWarnings("unchecked")
    Map<String, String> headers = context instanceof Map<?, ?> m ? (Map<String, String>) m : Map.of();
    if (!headers.isEmpty()) {
      opened.set(TraceHeaders.parentOf(headers).makeCurrent());
    }
  }

  @Override
  public Map<String, Payload> serializeContext(Object context) {
    Map<String, Payload> out = new HashMap<>();
    if (context instanceof Map<?, ?> headers) {
      headers.forEach((k, v) -> CONVERTER.toPayload(String.valueOf(v)).ifPresent(p -> out.put(String.valueOf(k), p)));
    }
    return out;
  }

  @Override
  public Object deserializeContext(Map<String, Payload> header) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : TraceHeaders.names()) {
      Payload p = header.get(name);
      if (p != null) {
        headers.put(name, CONVERTER.fromPayload(p, String.class, String.class));
      }
    }
    return headers;
  }
}
