package io.blacktree.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceHeadersTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  @Test
  void of_contextWithSpan_writesTraceparent() {
    SpanContext sc = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
    Map<String, String> headers = TraceHeaders.of(Context.root().with(Span.wrap(sc)));
    assertThat(headers).containsEntry("traceparent", "00-" + TRACE + "-" + SPAN + "-01");
  }

  @Test
  void of_rootContext_isEmpty() {
    assertThat(TraceHeaders.of(Context.root())).isEmpty();
  }

  @Test
  void parentOf_headersOfSpan_givesRemoteParentWithSameIds() {
    SpanContext parent = Span.fromContext(TraceHeaders.parentOf(Map.of("traceparent", "00-" + TRACE + "-" + SPAN + "-01")))
        .getSpanContext();
    assertThat(parent.isRemote()).isTrue();
    assertThat(parent.getTraceId()).isEqualTo(TRACE);
    assertThat(parent.getSpanId()).isEqualTo(SPAN);
  }

  @Test
  void parentOf_garbageOrNothing_givesNoValidSpan() {
    assertThat(Span.fromContext(TraceHeaders.parentOf(Map.of("traceparent", "zz-not-a-trace"))).getSpanContext()
        .isValid()).isFalse();
    assertThat(Span.fromContext(TraceHeaders.parentOf(Map.of())).getSpanContext().isValid()).isFalse();
  }
}
