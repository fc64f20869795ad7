package io.blacktree.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;

/** A connected Temporal service and its client; closing shuts the channel down. */
public record TemporalClients(WorkflowServiceStubs service, WorkflowClient client, String namespace, String target)
    implements AutoCloseable {
  @Override
  public void close() {
    service.shutdownNow();
  }
}
