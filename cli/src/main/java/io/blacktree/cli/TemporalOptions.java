package io.blacktree.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The Temporal connection flags shared by every command that talks to Temporal. */
public final class TemporalOptions {
  @Option(names = "--temporal", defaultValue = "127.0.0.1:7233", paramLabel = "HOST:PORT",
      description = "Temporal frontend (default: ${DEFAULT-VALUE}; env BLACKTREE_TEMPORAL).")
  String target;

  @Option(names = "--namespace", defaultValue = "default",
      description = "Temporal namespace (default: ${DEFAULT-VALUE}; env BLACKTREE_NAMESPACE).")
  String namespace;

  @Option(names = "--temporal-tls", defaultValue = "false",
      description = "Connect to Temporal over TLS (env BLACKTREE_TEMPORAL_TLS).")
  boolean tls;

  @Option(names = "--temporal-api-key", paramLabel = "KEY", arity = "1",
      description = "Temporal Cloud API key (env BLACKTREE_TEMPORAL_API_KEY; implies TLS).")
  String apiKey;

  public String target() {
    return target;
  }

  public String namespace() {
    return namespace;
  }

  /** The service stubs options these flags describe. */
  public WorkflowServiceStubsOptions stubsOptions() {
    WorkflowServiceStubsOptions.Builder builder = WorkflowServiceStubsOptions.newBuilder().setTarget(target);
    if (apiKey != null && !apiKey.isBlank()) {
      String key = apiKey;
      builder.addApiKey(() -> key).setEnableHttps(true);
    } else if (tls) {
      builder.setEnableHttps(true);
    }
    return builder.build();
  }

  /**
   * Connects (with a health check) and returns the clients.
   *
   * @throws CliException exit 3 when Temporal does not answer
   */
  public TemporalClients connect() throws CliException {
    WorkflowServiceStubs service;
    try {
      service = WorkflowServiceStubs.newConnectedServiceStubs(stubsOptions(), Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      throw CliException.unreachable("Temporal at " + target + " is unreachable: " + rootMessage(e), e);
    }
    WorkflowClient client = WorkflowClient.newInstance(
        service, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
    return new TemporalClients(service, client, namespace, target);
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
