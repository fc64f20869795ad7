package io.blacktree.worker;

import io.blacktree.core.TraceHeaders;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes the caller's trace context (from the {@code traceparent} / {@code tracestate} metadata) current while
 * the call's handler runs, so a job admitted by {@code RunJob} starts its span under the dispatching
 * activity's span. Calls without trace metadata run under the root context.
 */
final class TraceContextServerInterceptor implements ServerInterceptor {

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata metadata,
      ServerCallHandler<Q, R> next) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : TraceHeaders.names()) {
      String value = metadata.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
      if (value != null) {
        headers.put(name, value);
      }
    }
    Context context = TraceHeaders.parentOf(headers);
    ServerCall.Listener<Q> delegate;
    try (Scope ignored = context.makeCurrent()) {
      delegate = next.startCall(call, metadata);
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(Q message) {
        try (Scope ignored = context.makeCurrent()) {
          super.onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        try (Scope ignored = context.makeCurrent()) {
          super.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        try (Scope ignored = context.makeCurrent()) {
          super.onCancel();
        }
      }

      @Override
      public void onComplete() {
        try (Scope ignored = context.makeCurrent()) {
          super.onComplete();
        }
      }

      @Override
      public void onReady() {
        try (Scope ignored = context.makeCurrent()) {
          super.onReady();
        }
      }
    };
  }
}
