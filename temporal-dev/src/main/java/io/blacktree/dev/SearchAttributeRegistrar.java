package io.blacktree.dev;

import io.blacktree.core.Names;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.ServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Registers Blacktree's custom Keyword search attributes ({@link Names#SEARCH_ATTRIBUTES}) in a namespace.
 * Idempotent: an attribute that already exists counts as registered. Upserting an unregistered attribute
 * makes a workflow task fail forever, so every component that starts workflows calls this on boot.
 */
public final class SearchAttributeRegistrar {
  private static final long DEADLINE_SECONDS = 10;

  private final WorkflowServiceStubs service;

  /**
   * @param service stubs connected to the Temporal frontend; their channel (and so its TLS) is reused, not closed
   *     here, and their headers, metadata providers (an API key) and gRPC interceptors go on every operator call
   */
  public SearchAttributeRegistrar(WorkflowServiceStubs service) {
    this.service = service;
  }

  /**
   * Registers every missing attribute.
   *
   * @return the attributes this call added (empty when all existed)
   */
  public List<String> register(String namespace) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(operatorOptions(service));
    try {
      List<String> added = new ArrayList<>();
      java.util.Set<String> present = existing(operator, namespace);
      for (String name : Names.SEARCH_ATTRIBUTES) {
        if (!present.contains(name) && add(operator, namespace, name)) {
          added.add(name);
        }
      }
      return added;
    } finally {
      operator.shutdown();
    }
  }

  /**
   * Operator stubs options on the workflow stubs' raw channel carrying the same credentials and metadata: the
   * raw channel has TLS but none of the stubs' interceptors, which is where an API key is added.
   */
  static OperatorServiceStubsOptions operatorOptions(WorkflowServiceStubs service) {
    ServiceStubsOptions options = service.getOptions();
    OperatorServiceStubsOptions.Builder builder = OperatorServiceStubsOptions.newBuilder()
        .setChannel(service.getRawChannel())
        .setGrpcMetadataProviders(options.getGrpcMetadataProviders())
        .setGrpcClientInterceptors(options.getGrpcClientInterceptors())
        .setMetricsScope(options.getMetricsScope());
    if (options.getHeaders() != null) {
      builder.setHeaders(options.getHeaders());
    }
    return builder.validateAndBuildWithDefaults();
  }

  /** The namespace's custom attributes; empty when the server cannot list them (the Java test server). */
  private static java.util.Set<String> existing(OperatorServiceStubs operator, String namespace) {
    try {
      ListSearchAttributesResponse response = operator.blockingStub()
          .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
      return response.getCustomAttributesMap().keySet();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return java.util.Set.of();
      }
      throw e;
    }
  }

  private static boolean add(OperatorServiceStubs operator, String namespace, String name) {
    try {
      operator.blockingStub()
          .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .addSearchAttributes(AddSearchAttributesRequest.newBuilder()
              .setNamespace(namespace)
              .putSearchAttributes(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
              .build());
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
        return false;
      }
      throw e;
    }
  }
}
