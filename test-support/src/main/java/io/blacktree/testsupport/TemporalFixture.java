package io.blacktree.testsupport;

import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Temporal dev server for one test class: service stubs and a {@link WorkflowClient} on the
 * environment's namespace, workflow-ID and task-queue names under a unique prefix, worker factories that
 * are shut down on {@link #close()}, and {@link #awaitVisible} for visibility, which is eventually
 * consistent.
 */
public final class TemporalFixture implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(200);

  private final TestIds ids;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final List<WorkerFactory> factories = new ArrayList<>();

  private TemporalFixture(TestIds ids, WorkflowServiceStubs stubs, WorkflowClient client) {
    this.ids = ids;
    this.stubs = stubs;
    this.client = client;
  }

  /** Connects to the environment's server (checks the namespace answers) with a prefix for {@code testClass}. */
  public static TemporalFixture forClass(Class<?> testClass) {
    ServiceEndpoints endpoints = ServiceEndpoints.fromEnvironment();
    TestNamespace.ensure(endpoints.temporalTarget(), endpoints.temporalNamespace());
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(endpoints.temporalTarget()).build(),
        Duration.ofSeconds(10));
    stubs.blockingStub().describeNamespace(
        DescribeNamespaceRequest.newBuilder().setNamespace(endpoints.temporalNamespace()).build());
    WorkflowClient client = WorkflowClient.newInstance(stubs,
        WorkflowClientOptions.newBuilder().setNamespace(endpoints.temporalNamespace()).build());
    return new TemporalFixture(TestIds.forClass(testClass), stubs, client);
  }

  public WorkflowServiceStubs stubs() {
    return stubs;
  }

  public WorkflowClient client() {
    return client;
  }

  /** The per-class prefix of workflow IDs and task queues. */
  public String prefix() {
    return ids.prefix();
  }

  /** A new workflow ID {@code <prefix>-wf-<what>-<n>}. */
  public String workflowId(String what) {
    return ids.next("wf-" + what);
  }

  /** A new task queue name {@code <prefix>-tq-<what>-<n>}. */
  public String taskQueue(String what) {
    return ids.next("tq-" + what);
  }

  /** A worker factory on this client; shut down (and awaited) by {@link #close()}. Call {@code start()} yourself. */
  public WorkerFactory newWorkerFactory() {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    factories.add(factory);
    return factory;
  }

  /**
   * Polls the visibility store until {@code query} (a List Filter, e.g.
   * {@code BlacktreeRepo = 'x' AND ExecutionStatus = 'Completed'}) matches at least {@code atLeast}
   * executions, and returns them. Fails with the query and the last count after {@code bound}.
   */
  public List<WorkflowExecutionMetadata> awaitVisible(String query, int atLeast, Duration bound)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(bound);
    List<WorkflowExecutionMetadata> found = List.of();
    while (Instant.now().isBefore(deadline)) {
      found = client.listExecutions(query).collect(Collectors.toList());
      if (found.size() >= atLeast) {
        return found;
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new AssertionError("visibility query [" + query + "] matched " + found.size() + " executions, expected at least "
        + atLeast + " within " + bound);
  }

  /** {@link #awaitVisible(String, int, Duration)} for one execution. */
  public List<WorkflowExecutionMetadata> awaitVisible(String query, Duration bound) throws InterruptedException {
    return awaitVisible(query, 1, bound);
  }

  @Override
  public void close() {
    for (WorkerFactory factory : factories) {
      factory.shutdown();
    }
    for (WorkerFactory factory : factories) {
      factory.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    stubs.shutdown();
    stubs.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
  }
}
