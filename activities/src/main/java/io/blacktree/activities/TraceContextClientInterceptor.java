package io.blacktree.activities;

import io.blacktree.core.TraceHeaders;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.opentelemetry.context.Context;

/**
 * Writes the caller's current trace context ({@code traceparent}, {@code tracestate}) into the metadata of
 * every call to a build worker, so the worker's job span is a child of the dispatching activity's span.
 * Nothing is added when there is no current span.
 */
final class TraceContextClientInterceptor implements ClientInterceptor {

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        TraceHeaders.of(Context.current()).forEach((name, value) ->
            headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
        super.start(listener, headers);
      }
    };
  }
}
