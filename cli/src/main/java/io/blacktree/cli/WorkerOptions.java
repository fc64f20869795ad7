package io.blacktree.cli;

import io.blacktree.worker.BuilderSettings;
import io.blacktree.worker.WorkerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The build worker's own flags, shared by {@code worker} and {@code dev}: each sets the {@link WorkerConfig.Builder}
 * method of its name ({@code --docker-host} -> dockerHost, {@code --registry} -> registryMode); an absent flag
 * keeps the builder's default. The repo and account rules come from {@link PolicyOptions}, the job time limit
 * from {@link JobLimitOptions}.
 */
final class WorkerOptions {
  @Option(names = "--port", description = "gRPC port (default 50051; dev: 0 = ephemeral).")
  Integer port;

  @Option(names = "--workdir", description = "Directory for job workspaces (default $BLACKTREE_HOME/worker; dev: $BLACKTREE_HOME/dev/worker).")
  Path workdir;

  @Option(names = "--docker-host", description = "Docker engine (default unix:///var/run/docker.sock).")
  String dockerHost;

  @Option(names = "--registry", description = "How pushes log in: ecr, static or none (default ecr; dev: none).")
  WorkerConfig.RegistryMode registry;

  @Option(names = "--registry-url", description = "Registry for static/none, e.g. 127.0.0.1:5000 (dev default: 127.0.0.1:5000).")
  String registryUrl;

  @Option(names = "--registry-user", description = "User for --registry static.")
  String registryUser;

  @Option(names = "--registry-password", arity = "1",
      description = "Password for --registry static (prefer env BLACKTREE_REGISTRY_PASSWORD).")
  String registryPassword;

  @Option(names = "--ecr-endpoint", description = "ECR API endpoint override (default: AWS).")
  URI ecrEndpoint;

  @Option(names = "--ecr-create-repositories", description = "Create a missing ECR repository (dev: on with --ecr-endpoint).")
  Boolean ecrCreateRepositories;

  @Option(names = "--region", description = "Default AWS region (default us-east-1).")
  String region;

  @Option(names = "--git-token-file", description = "File holding the git token (default env BLACKTREE_GIT_TOKEN).")
  Path gitTokenFile;

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

  @Option(names = "--git-cache-bytes", description = "Bound of the git cache, and separately of the worker's kept source trees (default 5 GiB; 0 = no cache, a fresh checkout per job).")
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

  /**
   * The config: {@code base} (the defaults, or dev's) with the policy, the job time limit and each given flag
   * over it.
   *
   * @throws CliException exit 2 naming every problem of the result
   */
  WorkerConfig toConfig(WorkerConfig.Builder base, PolicyOptions policy, JobLimitOptions limits)
      throws CliException {
    WorkerConfig.Builder b = base.policy(policy.over(base.policy(), region));
    limits.applyTo(b::jobTimeLimit);
    Flags.set(port, b::port);
    Flags.set(workdir, b::workdir);
    Flags.set(dockerHost, b::dockerHost);
    Flags.set(registry, b::registryMode);
    Flags.set(registryUrl, b::registryUrl);
    Flags.set(registryUser, b::registryUser);
    Flags.set(registryPassword, b::registryPassword);
    Flags.set(ecrEndpoint, b::ecrEndpoint);
    Flags.set(ecrCreateRepositories, b::ecrCreateRepositories);
    Flags.set(gitTokenFile, b::gitTokenFile);
    Flags.set(grace, b::grace);
    Flags.set(resultTtl, b::resultTtl);
    Flags.set(allowTagOverwrite, b::allowTagOverwrite);
    Flags.set(imageCacheBytes, b::imageCacheBytes);
    Flags.set(pushAttempts, b::pushAttempts);
    Flags.set(workerId, b::workerId);
    Flags.set(gitCacheDir, b::gitCacheDir);
    Flags.set(gitCacheBytes, b::gitCacheBytes);
    Flags.set(listen, b::listen);
    Flags.set(insecureListen, b::insecureListen);
    Flags.set(tlsCert, b::tlsCert);
    Flags.set(tlsKey, b::tlsKey);
    Flags.set(tlsClientCa, b::tlsClientCa);
    Flags.set(authTokenFile, b::authTokenFile);
    Flags.set(buildNetwork, b::buildNetwork);
    Flags.set(buildMemoryBytes, b::buildMemoryBytes);
    Flags.set(buildCpuShares, b::buildCpuShares);
    Flags.set(buildCpusetCpus, b::buildCpusetCpus);
    Flags.set(maxCheckoutBytes, b::maxCheckoutBytes);
    Flags.set(builderMode(), b::builderMode);
    Flags.set(buildkitAddr, b::buildkitAddr);
    Flags.set(buildctl, b::buildctl);
    Flags.set(onOff("--registry-cache", registryCache), b::registryCache);
    Flags.set(registryCacheFallback, b::registryCacheFallback);
    Flags.set(buildSecrets, b::buildSecrets);
    Flags.set(signingKeyFile, b::signingKeyFile);
    Flags.set(requireSigning, b::requireSigning);
    Flags.setAll(allowedBaseRegistries, b::allowedBaseRegistries);
    Flags.setAll(allowedAddHosts, b::allowedAddHosts);
    WorkerConfig config = b.build();
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw CliException.badInput("invalid worker options: " + String.join("; ", problems));
    }
    return config;
  }

  private static Boolean onOff(String flag, String value) throws CliException {
    if (value == null) {
      return null;
    }
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw CliException.badInput(flag + ": must be on or off, not '" + value + "'");
    };
  }

  /** Whether {@code --ecr-create-repositories} was given (dev turns it on with {@code --ecr-endpoint}). */
  boolean ecrCreateRepositoriesGiven() {
    return ecrCreateRepositories != null;
  }

  private BuilderSettings.Mode builderMode() throws CliException {
    if (builder == null) {
      return null;
    }
    try {
      return BuilderSettings.Mode.parse(builder);
    } catch (IllegalArgumentException e) {
      throw CliException.badInput("--builder: must be auto, buildkit or engine, not '" + builder + "'");
    }
  }
}
