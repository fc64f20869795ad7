package io.blacktree.cli;

import io.blacktree.worker.BuildLimits;
import io.blacktree.worker.BuildSecrets;
import io.blacktree.worker.BuilderSettings;
import io.blacktree.worker.LinkSecurity;
import io.blacktree.worker.ProvenanceConfig;
import io.blacktree.worker.WorkerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The build worker's flags, mapped onto {@link WorkerConfig} field by field ({@code --docker-host} ->
 * dockerHost, {@code --registry} -> registryMode). An absent flag keeps {@link WorkerConfig#defaults()}.
 */
final class WorkerOptions {
  @Option(names = "--port", description = "gRPC port (default 50051; 0 = ephemeral).")
  Integer port;

  @Option(names = "--workdir", description = "Directory for job workspaces (default $BLACKTREE_HOME/worker).")
  Path workdir;

  @Option(names = "--docker-host", description = "Docker engine (default unix:///var/run/docker.sock).")
  String dockerHost;

  @Option(names = "--registry", description = "ecr, static or none (default ecr).")
  WorkerConfig.RegistryMode registry;

  @Option(names = "--registry-url", description = "Registry for static/none, e.g. 127.0.0.1:5000.")
  String registryUrl;

  @Option(names = "--registry-user", description = "User for --registry static.")
  String registryUser;

  @Option(names = "--registry-password", arity = "1",
      description = "Password for --registry static (prefer env BLACKTREE_REGISTRY_PASSWORD).")
  String registryPassword;

  @Option(names = "--ecr-endpoint", description = "ECR API endpoint override (default: AWS).")
  URI ecrEndpoint;

  @Option(names = "--ecr-create-repositories", description = "Create a missing ECR repository.")
  Boolean ecrCreateRepositories;

  @Option(names = "--region", description = "Default AWS region (default us-east-1).")
  String region;

  @Option(names = "--git-base-url", description = "Base URL of owner/name repos (default https://github.com/).")
  URI gitBaseUrl;

  @Option(names = "--git-allowed-hosts", split = ",", description = "Hosts a full https:// repo_url may name (default github.com).")
  List<String> gitAllowedHosts;

  @Option(names = "--git-token-file", description = "File holding the git token (default env BLACKTREE_GIT_TOKEN).")
  Path gitTokenFile;

  @Option(names = "--allowed-accounts", split = ",", description = "AWS accounts allowed (default any).")
  List<String> allowedAccounts;

  @Option(names = "--job-time-limit", description = "Job time limit, ISO-8601 (default PT30M).")
  Duration jobTimeLimit;

  @Option(names = "--grace", description = "How long an orphaned job waits for a re-attach (default PT40S).")
  Duration grace;

  @Option(names = "--result-ttl", description = "How long finished results stay cached (default PT1H).")
  Duration resultTtl;

  @Option(names = "--allow-tag-overwrite", description = "Allow pushing over an existing version tag.")
  Boolean allowTagOverwrite;

  @Option(names = "--image-cache-bytes", description = "Bound of this worker's cached images (default 10 GiB).")
  Long imageCacheBytes;

  @Option(names = "--push-attempts", description = "Attempts per tag push (default 3).")
  Integer pushAttempts;

  @Option(names = "--worker-id", description = "This worker's id (default hostname:port).")
  String workerId;

  @Option(names = "--git-cache-dir",
      description = "Git object cache, shareable by the workers of a host (default: git-cache beside --workdir, "
          + "so $BLACKTREE_HOME/git-cache with the default --workdir).")
  Path gitCacheDir;

  @Option(names = "--git-cache-bytes", description = "Bound of the git cache (default 5 GiB; 0 = no cache).")
  Long gitCacheBytes;

  @Option(names = "--listen", paramLabel = "ADDRESS",
      description = "Address the gRPC port binds (default 127.0.0.1: loopback only). Any other address needs mTLS "
          + "(--tls-client-ca) or a bearer token (--auth-token-file), else the worker refuses to start.")
  String listen;

  @Option(names = "--insecure-listen",
      description = "Serve a non-loopback --listen address without mTLS or token anyway (logged as a warning, "
          + "exported as blacktree_worker_insecure_listen 1). Anyone who reaches the port can run jobs.")
  Boolean insecureListen;

  @Option(names = "--tls-cert", description = "PEM server certificate: the gRPC port speaks TLS (with --tls-key).")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM PKCS#8 private key of --tls-cert.")
  Path tlsKey;

  @Option(names = "--tls-client-ca",
      description = "PEM CA bundle: client certificates of this CA are required (mTLS; needs --tls-cert).")
  Path tlsClientCa;

  @Option(names = "--auth-token-file",
      description = "File with the bearer token every Worker call must carry (default env BLACKTREE_AUTH_TOKEN; "
          + "none = no token). Health stays open.")
  Path authTokenFile;

  @Option(names = "--build-network", description = "Network of RUN steps (default none: no network).")
  String buildNetwork;

  @Option(names = "--build-memory-bytes",
      description = "Memory limit of each RUN step, no extra swap (default 2 GiB; 0 = unlimited).")
  Long buildMemoryBytes;

  @Option(names = "--build-cpu-shares", description = "Relative CPU weight of RUN steps (default 512; 0 = engine default).")
  Integer buildCpuShares;

  @Option(names = "--build-cpuset-cpus", description = "CPUs RUN steps may use, e.g. 0-1 (default any).")
  String buildCpusetCpus;

  @Option(names = "--max-checkout-bytes",
      description = "Most bytes of files a checkout may write; a larger tree fails the job (default 1 GiB; 0 = no limit).")
  Long maxCheckoutBytes;

  @Option(names = "--builder",
      description = "auto (BuildKit when buildkitd answers at --buildkit-addr, else the engine), buildkit or engine "
          + "(default auto).")
  String builder;

  @Option(names = "--buildkit-addr",
      description = "buildkitd's address, unix:///path or tcp://host:port (default unix://$BLACKTREE_HOME/run/buildkitd.sock).")
  String buildkitAddr;

  @Option(names = "--buildctl", description = "The buildctl client to run (default $BLACKTREE_HOME/bin/buildctl).")
  Path buildctl;

  @Option(names = "--registry-cache", paramLabel = "on|off",
      description = "BuildKit builds export their cache to the image's repository (tag buildcache-<branch>) and "
          + "import it, so every build host reuses steps built on any other (default on).")
  String registryCache;

  @Option(names = "--registry-cache-fallback", paramLabel = "BRANCH",
      description = "The branch whose registry cache builds of other branches also import (default main; "
          + "empty = none).")
  String registryCacheFallback;

  @Option(names = "--build-secret", split = ",", paramLabel = "ID=FILE",
      description = "A file RUN --mount=type=secret,id=ID may read, BuildKit only; repeatable or comma-separated "
          + "(default none). Every build on this worker can read it; its content is redacted from job logs.")
  Map<String, Path> buildSecrets;

  @Option(names = "--signing-key-file",
      description = "PEM ECDSA P-256 private key that signs the provenance attested for every image "
          + "(default none: attestations are unsigned).")
  Path signingKeyFile;

  @Option(names = "--require-signing", description = "Refuse to start without --signing-key-file (production).")
  Boolean requireSigning;

  @Option(names = "--allowed-base-registries", split = ",", paramLabel = "HOST[:PORT]",
      description = "Registries on this host's own or internal network that FROM/COPY --from images may come from, "
          + "besides the push registry (default none; public registries are always allowed).")
  List<String> allowedBaseRegistries;

  @Option(names = "--allowed-add-hosts", split = ",", paramLabel = "HOST[:PORT]",
      description = "Hosts ADD <url> may download from (default none: remote ADD is refused). The instance "
          + "metadata addresses are never allowed.")
  List<String> allowedAddHosts;

  /** The config: each given flag over the defaults. */
  WorkerConfig toConfig() throws CliException {
    WorkerConfig d = WorkerConfig.defaults();
    WorkerConfig config = new WorkerConfig(
        or(port, d.port()), or(workdir, d.workdir()), or(dockerHost, d.dockerHost()),
        or(registry, d.registryMode()), or(registryUrl, d.registryUrl()), or(registryUser, d.registryUser()),
        or(registryPassword, d.registryPassword()), or(ecrEndpoint, d.ecrEndpoint()),
        or(ecrCreateRepositories, d.ecrCreateRepositories()), or(region, d.region()),
        or(gitBaseUrl, d.gitBaseUrl()), gitAllowedHosts == null ? d.gitAllowedHosts() : Set.copyOf(gitAllowedHosts),
        or(gitTokenFile, d.gitTokenFile()),
        allowedAccounts == null ? d.allowedAccounts() : Set.copyOf(allowedAccounts),
        or(jobTimeLimit, d.jobTimeLimit()), or(grace, d.grace()), or(resultTtl, d.resultTtl()),
        or(allowTagOverwrite, d.allowTagOverwrite()), or(imageCacheBytes, d.imageCacheBytes()),
        or(pushAttempts, d.pushAttempts()), or(workerId, d.workerId()))
        .withGitCache(gitCacheDir, or(gitCacheBytes, WorkerConfig.DEFAULT_GIT_CACHE_BYTES))
        .withSecurity(new LinkSecurity(tlsCert, tlsKey, tlsClientCa, authTokenFile,
            or(listen, LinkSecurity.DEFAULT_LISTEN), or(insecureListen, false)))
        .withBuildLimits(new BuildLimits(or(buildNetwork, BuildLimits.DEFAULT_NETWORK),
            or(buildMemoryBytes, BuildLimits.DEFAULT_MEMORY_BYTES), or(buildCpuShares, BuildLimits.DEFAULT_CPU_SHARES),
            buildCpusetCpus, or(maxCheckoutBytes, BuildLimits.DEFAULT_CHECKOUT_BYTES),
            allowedBaseRegistries == null ? Set.of() : Set.copyOf(allowedBaseRegistries),
            allowedAddHosts == null ? Set.of() : Set.copyOf(allowedAddHosts)))
        .withBuilder(builderSettings(d.builder()))
        .withProvenance(new ProvenanceConfig(signingKeyFile, or(requireSigning, false)));
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw CliException.badInput("invalid worker options: " + String.join("; ", problems));
    }
    return config;
  }

  private BuilderSettings builderSettings(BuilderSettings d) throws CliException {
    BuilderSettings.Mode mode = d.mode();
    if (builder != null) {
      try {
        mode = BuilderSettings.Mode.parse(builder);
      } catch (IllegalArgumentException e) {
        throw CliException.badInput("--builder: must be auto, buildkit or engine, not '" + builder + "'");
      }
    }
    return new BuilderSettings(mode, or(buildkitAddr, d.buildkitAddr()), or(buildctl, d.buildctl()),
        registryCache == null ? d.registryCache() : onOff("--registry-cache", registryCache),
        or(registryCacheFallback, d.registryCacheFallback()),
        buildSecrets == null ? d.secrets() : new BuildSecrets(buildSecrets));
  }

  private static boolean onOff(String flag, String value) throws CliException {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw CliException.badInput(flag + ": must be on or off, not '" + value + "'");
    };
  }

  static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
