package io.blacktree.testsupport;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;

/** Temporal clients as the tests need them; the deployables build theirs in the cli ({@code TemporalOptions}). */
public final class TestTemporalClients {
  private TestTemporalClients() {}

  /**
   * A plaintext client to {@code target} that does not wait for the server (it may be down, or behind a fault
   * proxy) and whose calls give up after {@code rpcTimeout}, as the bridge's clients do, so an outage is noticed
   * quickly. Closing it is the caller's (or the bridge's it is handed to).
   */
  public static WorkflowClient lazy(String target, String namespace, Duration rpcTimeout) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(target)
        .setRpcTimeout(rpcTimeout)
        .setRpcRetryOptions(RpcRetryOptions.newBuilder().setExpiration(rpcTimeout)
            .setMaximumInterval(Duration.ofSeconds(1)).validateBuildWithDefaults())
        .setConnectionBackoffResetFrequency(Duration.ofSeconds(2))
        .build());
    return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
  }
}
