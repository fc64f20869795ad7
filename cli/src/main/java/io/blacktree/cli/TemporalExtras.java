package io.blacktree.cli;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import io.grpc.ClientInterceptor;
import io.temporal.common.context.ContextPropagator;
import io.temporal.common.interceptors.WorkerInterceptor;
import io.temporal.common.interceptors.WorkflowClientInterceptor;
import java.util.List;
import java.util.Objects;

/**
 * What other parts of the cli (metrics, tracing) add to the Temporal clients {@link TemporalOptions} builds:
 * a Tally metrics scope for the service stubs, context propagators and client interceptors for the
 * {@code WorkflowClient}, gRPC interceptors for the channel, and worker interceptors for whoever builds a
 * {@code WorkerFactory} on the result ({@link TemporalClients#extras()}). {@link #NONE} adds nothing.
 *
 * @param metricsScope        Tally scope of the stubs' metrics ({@link NoopScope} for none)
 * @param propagators         context propagators of the workflow client (and so of its workers)
 * @param clientInterceptors  workflow client interceptors (e.g. tracing of starts, signals, queries)
 * @param grpcInterceptors    gRPC client interceptors on the Temporal channel
 * @param workerInterceptors  worker interceptors, for a {@code WorkerFactoryOptions} built on these clients
 */
public record TemporalExtras(
    Scope metricsScope,
    List<ContextPropagator> propagators,
    List<WorkflowClientInterceptor> clientInterceptors,
    List<ClientInterceptor> grpcInterceptors,
    List<WorkerInterceptor> workerInterceptors) {

  /** Nothing extra. */
  public static final TemporalExtras NONE =
      new TemporalExtras(new NoopScope(), List.of(), List.of(), List.of(), List.of());

  public TemporalExtras {
    Objects.requireNonNull(metricsScope, "metricsScope (use NoopScope)");
    propagators = List.copyOf(propagators);
    clientInterceptors = List.copyOf(clientInterceptors);
    grpcInterceptors = List.copyOf(grpcInterceptors);
    workerInterceptors = List.copyOf(workerInterceptors);
  }

  /** These extras with {@code scope} as the metrics scope. */
  public TemporalExtras withMetricsScope(Scope scope) {
    return new TemporalExtras(scope, propagators, clientInterceptors, grpcInterceptors, workerInterceptors);
  }

  /** These extras with tracing added: a propagator and the interceptors of each kind (nulls skipped). */
  public TemporalExtras withTracing(ContextPropagator propagator, WorkflowClientInterceptor clientInterceptor,
      WorkerInterceptor workerInterceptor) {
    return new TemporalExtras(metricsScope, plus(propagators, propagator), plus(clientInterceptors, clientInterceptor),
        grpcInterceptors, plus(workerInterceptors, workerInterceptor));
  }

  private static <T> List<T> plus(List<T> list, T item) {
    if (item == null) {
      return list;
    }
    java.util.ArrayList<T> out = new java.util.ArrayList<>(list);
    out.add(item);
    return List.copyOf(out);
  }
}
