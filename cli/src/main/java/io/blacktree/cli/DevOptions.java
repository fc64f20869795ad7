package io.blacktree.cli;

import io.blacktree.dev.DevServer;
import io.blacktree.worker.WorkerConfig;
import java.net.URI;
import picocli.CommandLine.Option;

/**
 * The flags only {@code blacktree dev} has: how it finds or starts Temporal. The worker, orchestrator and policy
 * flags are the shared groups; {@link #workerBase()} holds dev's local defaults for the worker.
 */
final class DevOptions {
  /** Where dev's worker pushes by default: the open registry {@code scripts/services} starts. */
  static final String LOCAL_REGISTRY = "127.0.0.1:5000";

  @Option(names = "--temporal-ui-port",
      description = "Web UI port of a dev server started here or found on --temporal (default: the --temporal "
          + "port + 1000, as the Temporal CLI does: 8233 for 7233).")
  Integer temporalUiPort;

  @Option(names = "--web-ui-url", paramLabel = "URL",
      description = "Web UI of the Temporal in use, printed as given (default: that of a dev server started here, "
          + "or found answering on --temporal-ui-port; none otherwise).")
  URI webUiUrl;

  @Option(names = "--allow-fallback",
      description = "If the Temporal CLI is not installed and nothing answers on --temporal, run Temporal's "
          + "embedded Java test server instead (no listing, no reset, no Web UI, no persistence).")
  boolean allowFallback;

  /** Dev's worker defaults: an ephemeral port, workspaces under {@code dev/}, the open local registry. */
  static WorkerConfig.Builder workerBase() {
    return WorkerConfig.builder()
        .port(0)
        .workdir(DevServer.blacktreeHome().resolve("dev").resolve("worker"))
        .registryMode(WorkerConfig.RegistryMode.NONE)
        .registryUrl(LOCAL_REGISTRY);
  }
}
