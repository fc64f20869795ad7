package io.blacktree.bridge;

import io.blacktree.core.TraceHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The bridge's span for one build-queue message ({@code jobs.build process}): a child of the trace context
 * the publisher put in the message headers ({@code traceparent}), or a new trace. It is current while the
 * message is handled, so the workflow start carries it into Temporal headers.
 */
final class MessageTracing {
  private final Tracer tracer;
  private final String queue;

  MessageTracing(Tracer tracer, String queue) {
    this.tracer = tracer;
    this.queue = queue;
  }

  /** Runs {@code handling} inside the message's span; the span records the decision. */
  MessageHandler.Decision around(InboundMessage message, Supplier<MessageHandler.Decision> handling) {
    Span span = tracer.spanBuilder(queue + " process")
        .setParent(parentOf(message))
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute("messaging.system", "rabbitmq")
        .setAttribute("messaging.destination.name", queue)
        .setAttribute("messaging.rabbitmq.redelivered", message.redelivered())
        .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      MessageHandler.Decision decision = handling.get();
      span.setAttribute("blacktree.decision", decision.name());
      return decision;
    } finally {
      span.end();
    }
  }

  private static Context parentOf(InboundMessage message) {
    Map<String, Object> amqpHeaders = message.properties().getHeaders();
    if (amqpHeaders == null) {
      return Context.root();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : TraceHeaders.names()) {
      Object value = amqpHeaders.get(name);
      if (value != null) {
        headers.put(name, value.toString());
      }
    }
    return TraceHeaders.parentOf(headers);
  }
}
