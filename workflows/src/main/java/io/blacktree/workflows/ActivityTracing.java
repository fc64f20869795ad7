package io.blacktree.workflows;

import io.blacktree.core.TraceHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import java.util.Map;

/**
 * One span per activity execution ({@code activity Dispatch}, {@code activity PublishResult}), a child of the
 * span whose context came in the activity's Temporal headers, and current while the activity runs, so the
 * dispatch's gRPC calls carry it to the build worker. Attributes: workflow ID, activity type and attempt.
 */
public final class ActivityTracing extends WorkerInterceptorBase {
  private final Tracer tracer;
  private final TraceContextPropagator propagator = new TraceContextPropagator();

  public ActivityTracing(Tracer tracer) {
    this.tracer = tracer;
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new Traced(next);
  }

  private final class Traced extends ActivityInboundCallsInterceptorBase {
    private ActivityInfo info;

    Traced(ActivityInboundCallsInterceptor next) {
      super(next);
    }

    @Override
    public void init(ActivityExecutionContext context) {
      info = context.getInfo();
      super.init(context);
    }

    @Override
    public ActivityOutput execute(ActivityInput input) {
      @SuppressWarnings("unchecked")
      Map<String, String> headers = (Map<String, String>) propagator.deserializeContext(input.getHeader().getValues());
      Context parent = headers.isEmpty() ? Context.current() : TraceHeaders.parentOf(headers);
      Span span = tracer.spanBuilder("activity " + info.getActivityType())
          .setParent(parent)
          .setSpanKind(SpanKind.INTERNAL)
          .setAttribute("blacktree.workflow_id", info.getWorkflowId())
          .setAttribute("blacktree.activity_attempt", info.getAttempt())
          .startSpan();
      try (Scope ignored = parent.with(span).makeCurrent()) {
        return super.execute(input);
      } catch (RuntimeException e) {
        span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
        throw e;
      } finally {
        span.end();
      }
    }
  }
}
