package io.blacktree.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;

/**
 * A Temporal service and its client, built once by {@link TemporalOptions}; closing shuts the channel down.
 * {@code extras} are what was added to them (worker interceptors still to be put on a {@code WorkerFactory}).
 */
public record TemporalClients(WorkflowServiceStubs service, WorkflowClient client, String namespace, String target,
    TemporalExtras extras) implements AutoCloseable {

  @Override
  public void close() {
    service.shutdownNow();
  }
}
