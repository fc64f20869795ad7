package io.blacktree.bridge;

import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Asks Temporal whether it answers: DescribeNamespace of the client's namespace, with a deadline. */
final class TemporalProbe {
  private static final Logger log = LoggerFactory.getLogger(TemporalProbe.class);

  private final WorkflowServiceStubs stubs;
  private final String namespace;
  private final Duration deadline;

  TemporalProbe(WorkflowClient client, Duration deadline) {
    this.stubs = client.getWorkflowServiceStubs();
    this.namespace = client.getOptions().getNamespace();
    this.deadline = deadline;
  }

  boolean reachable() {
    try {
      // Skip gRPC's reconnect backoff: we already wait between probes.
      stubs.getRawChannel().resetConnectBackoff();
      stubs.blockingStub()
          .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
          .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build());
      return true;
    } catch (RuntimeException e) {
      log.debug("Temporal probe failed: {}", e.getMessage());
      return false;
    }
  }
}
