package io.blacktree.testsupport;

import io.blacktree.core.Names;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.RegisterNamespaceRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The Temporal namespace the tests run in ({@link ServiceEndpoints#temporalNamespace()}, {@value #DEFAULT} unless
 * {@code BLACKTREE_TEST_TEMPORAL_NAMESPACE} says otherwise): never the user's {@code default}, so a test run leaves
 * no workflow where {@code blacktree jobs list} and the demo look. Created on first use in a JVM with a short
 * retention and Blacktree's search attributes, and awaited until the server answers for it.
 */
public final class TestNamespace {
  /** The tests' namespace when the environment names none. */
  public static final String DEFAULT = "blacktree-test";

  private static final Duration RETENTION = Duration.ofDays(1);
  private static final Duration USABLE_BOUND = Duration.ofSeconds(60);
  private static final long DEADLINE_SECONDS = 10;
  private static final Set<String> READY = ConcurrentHashMap.newKeySet();

  private TestNamespace() {}

  /** Makes sure {@code namespace} exists on {@code target}, with the search attributes; once per JVM. */
  public static synchronized void ensure(String target, String namespace) {
    if (READY.contains(target + "/" + namespace)) {
      return;
    }
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
        .setChannel(service.getRawChannel()).validateAndBuildWithDefaults());
    try {
      if (!exists(service, namespace)) {
        register(service, namespace);
      }
      Map<String, IndexedValueType> present = awaitAttributes(operator, namespace);
      for (String name : Names.SEARCH_ATTRIBUTES) {
        if (!present.containsKey(name)) {
          addAttribute(operator, namespace, name);
        }
      }
      READY.add(target + "/" + namespace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing namespace " + namespace, e);
    } finally {
      operator.shutdownNow();
      service.shutdownNow();
    }
  }

  private static boolean exists(WorkflowServiceStubs service, String namespace) {
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

  private static void register(WorkflowServiceStubs service, String namespace) {
    try {
      service.blockingStub().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .registerNamespace(RegisterNamespaceRequest.newBuilder().setNamespace(namespace)
              .setDescription("Blacktree's tests (scripts/test); never the user's default namespace")
              .setWorkflowExecutionRetentionPeriod(
                  com.google.protobuf.Duration.newBuilder().setSeconds(RETENTION.toSeconds()).build())
              .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
        throw e;
      }
    }
  }

  /** The namespace's custom attributes, once the operator service knows the (possibly new) namespace. */
  private static Map<String, IndexedValueType> awaitAttributes(OperatorServiceStubs operator, String namespace)
      throws InterruptedException {
    long end = System.nanoTime() + USABLE_BOUND.toNanos();
    while (true) {
      try {
        return operator.blockingStub().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
            .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
            .getCustomAttributesMap();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.NOT_FOUND || System.nanoTime() > end) {
          throw e;
        }
        Thread.sleep(250);
      }
    }
  }

  private static void addAttribute(OperatorServiceStubs operator, String namespace, String name) {
    try {
      operator.blockingStub().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .addSearchAttributes(AddSearchAttributesRequest.newBuilder().setNamespace(namespace)
              .putSearchAttributes(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
        throw e;
      }
    }
  }
}
