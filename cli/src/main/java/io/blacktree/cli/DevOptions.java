package io.blacktree.cli;

import io.blacktree.core.ValidationPolicy;
import io.blacktree.dev.DevServer;
import io.blacktree.worker.ProvenanceConfig;
import io.blacktree.worker.WorkerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The flags of {@code blacktree dev}: the subset of the worker's, orchestrator's and bridge's flags that a
 * local stack needs, with local defaults (open registry 127.0.0.1:5000, ephemeral worker port).
 */
final class DevOptions {
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

  @Option(names = "--port", defaultValue = "0",
      description = "The build worker's gRPC port (default: ${DEFAULT-VALUE} = ephemeral).")
  int port;

  @Option(names = "--workdir", description = "The worker's job workspaces (default $BLACKTREE_HOME/dev/worker).")
  Path workdir;

  @Option(names = "--docker-host", defaultValue = WorkerConfig.DEFAULT_DOCKER_HOST,
      description = "Docker engine (default: ${DEFAULT-VALUE}).")
  String dockerHost;

  @Option(names = "--registry", defaultValue = "none",
      description = "How the worker logs in to push: ecr, static or none (default: ${DEFAULT-VALUE}).")
  WorkerConfig.RegistryMode registry;

  @Option(names = "--registry-url", defaultValue = "127.0.0.1:5000",
      description = "Registry images are pushed to for static/none (default: ${DEFAULT-VALUE}).")
  String registryUrl;

  @Option(names = "--registry-user", description = "User for --registry static.")
  String registryUser;

  @Option(names = "--registry-password", arity = "1",
      description = "Password for --registry static (prefer env BLACKTREE_REGISTRY_PASSWORD).")
  String registryPassword;

  @Option(names = "--ecr-endpoint", description = "ECR API endpoint override for --registry ecr.")
  URI ecrEndpoint;

  @Option(names = "--git-base-url", defaultValue = "https://github.com/",
      description = "Base URL of owner/name repos, e.g. git://127.0.0.1:9419/ (default: ${DEFAULT-VALUE}).")
  URI gitBaseUrl;

  @Option(names = "--git-allowed-hosts", split = ",", defaultValue = "github.com",
      description = "Hosts a full https:// repo_url may name (default: ${DEFAULT-VALUE}).")
  List<String> gitAllowedHosts;

  @Option(names = "--allowed-accounts", split = ",", description = "AWS accounts allowed (default any).")
  List<String> allowedAccounts;

  @Option(names = "--job-time-limit", defaultValue = "PT30M",
      description = "Job time limit, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration jobTimeLimit;

  @Option(names = "--allow-tag-overwrite", description = "Allow pushing over an existing version tag.")
  boolean allowTagOverwrite;

  @Option(names = "--max-attempts", defaultValue = "4", description = "Attempts per job (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--signing-key-file", paramLabel = "PEM",
      description = "PEM EC P-256 private key the worker signs each image's provenance with (default: unsigned).")
  Path signingKeyFile;

  /** The worker's config: its defaults with these flags and the local registry. */
  WorkerConfig workerConfig() throws CliException {
    WorkerConfig d = WorkerConfig.defaults();
    Path dir = workdir != null ? workdir : DevServer.blacktreeHome().resolve("dev").resolve("worker");
    WorkerConfig config = new WorkerConfig(port, dir, dockerHost, registry, registryUrl, registryUser,
        registryPassword, ecrEndpoint, ecrEndpoint != null, d.region(), gitBaseUrl, Set.copyOf(gitAllowedHosts),
        d.gitTokenFile(), allowedAccounts(), jobTimeLimit, d.grace(), d.resultTtl(), allowTagOverwrite,
        d.imageCacheBytes(), d.pushAttempts(), d.workerId())
        .withProvenance(new ProvenanceConfig(signingKeyFile, false));
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw CliException.badInput("invalid worker options: " + String.join("; ", problems));
    }
    return config;
  }

  Set<String> allowedAccounts() {
    return allowedAccounts == null ? Set.of() : Set.copyOf(allowedAccounts);
  }

  String defaultRegion() {
    return ValidationPolicy.DEFAULT_REGION;
  }
}
