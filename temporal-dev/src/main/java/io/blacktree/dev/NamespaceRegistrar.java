package io.blacktree.dev;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.RegisterNamespaceRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure a namespace exists: a self-hosted server (or the dev server) creates a missing one with the given
 * retention. A server that refuses {@code RegisterNamespace} (Temporal Cloud, or a caller without the rights)
 * surfaces as a {@link NamespaceRefusedException}, for the caller to explain.
 */
public final class NamespaceRegistrar {
  private static final long DEADLINE_SECONDS = 10;
  private static final Duration USABLE_BOUND = Duration.ofSeconds(60);
  private static final long POLL_MILLIS = 250;

  private final WorkflowServiceStubs service;

  /** @param service stubs connected to the frontend; reused (with their credentials), not closed here */
  public NamespaceRegistrar(WorkflowServiceStubs service) {
    this.service = service;
  }

  /** Whether {@link #ensure} found the namespace or created it. */
  public enum Outcome { EXISTED, CREATED }

  /**
   * Creates {@code namespace} with {@code retention} when the server does not know it, then waits until it
   * answers on the frontend and the operator service (a new namespace reaches them after a registry refresh).
   *
   * @throws NamespaceRefusedException the namespace is missing and the server refused to create it
   * @throws StatusRuntimeException the server failed otherwise (unreachable, credentials refused)
   * @throws IllegalStateException the created namespace did not become usable within a minute
   */
  public Outcome ensure(String namespace, Duration retention)
      throws NamespaceRefusedException, InterruptedException {
    if (exists(namespace)) {
      return Outcome.EXISTED;
    }
    try {
      service.blockingStub().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .registerNamespace(RegisterNamespaceRequest.newBuilder()
              .setNamespace(namespace)
              .setWorkflowExecutionRetentionPeriod(com.google.protobuf.Duration.newBuilder()
                  .setSeconds(retention.getSeconds()).build())
              .setDescription("created by blacktree setup")
              .build());
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.PERMISSION_DENIED || code == Status.Code.UNIMPLEMENTED
          || code == Status.Code.UNAUTHENTICATED || code == Status.Code.INVALID_ARGUMENT) {
        throw new NamespaceRefusedException(namespace, e.getStatus(), e);
      }
      if (code != Status.Code.ALREADY_EXISTS) {
        throw e;
      }
    }
    awaitUsable(namespace);
    return Outcome.CREATED;
  }

  private boolean exists(String namespace) {
    try {
      service.blockingStub().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build());
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  private void awaitUsable(String namespace) throws InterruptedException {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(SearchAttributeRegistrar.operatorOptions(service));
    try {
      long end = System.nanoTime() + USABLE_BOUND.toNanos();
      StatusRuntimeException last = null;
      while (System.nanoTime() < end) {
        try {
          operator.blockingStub().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
              .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
          if (exists(namespace)) {
            return;
          }
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
            throw e;
          }
          last = e;
        }
        Thread.sleep(POLL_MILLIS);
      }
      throw new IllegalStateException("namespace " + namespace + " was created but did not become usable within "
          + USABLE_BOUND.toSeconds() + " s" + (last == null ? "" : ": " + last.getStatus()));
    } finally {
      operator.shutdown();
    }
  }
}
