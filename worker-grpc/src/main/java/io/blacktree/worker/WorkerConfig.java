package io.blacktree.worker;

import io.blacktree.core.ValidationPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The build worker's options; flag {@code --kebab-case} maps to the field of the same name (e.g. {@code --port} -> port,
 * {@code --docker-host} -> dockerHost, {@code --registry} -> registryMode).
 *
 * @param port              gRPC port (default 50051; 0 = ephemeral)
 * @param workdir           directory for per-job workspaces, owned by this worker (default
 *                          {@code $BLACKTREE_HOME/worker})
 * @param dockerHost        Docker engine (default {@code unix:///var/run/docker.sock})
 * @param registryMode      ecr | static | none (default ecr)
 * @param registryUrl       registry for static/none (e.g. {@code 127.0.0.1:5000}); unused for ecr (the
 *                          registry comes from ECR's proxyEndpoint)
 * @param registryUser      static mode user
 * @param registryPassword  static mode password (prefer env {@code BLACKTREE_REGISTRY_PASSWORD})
 * @param ecrEndpoint       ECR API endpoint override (null = AWS)
 * @param ecrCreateRepositories create a missing ECR repository (default false)
 * @param region            default AWS region (default us-east-1)
 * @param gitBaseUrl        base URL for {@code owner/name} repos (default https://github.com/)
 * @param gitAllowedHosts   hosts a full https:// repo_url may name (default github.com)
 * @param gitTokenFile      file holding the git token (null = env {@code BLACKTREE_GIT_TOKEN}, else none)
 * @param allowedAccounts   AWS accounts allowed (empty = any)
 * @param jobTimeLimit      job time limit (default 30 min; a request may only lower it)
 * @param grace             how long an orphaned job waits for a re-attach (default 40 s = 2 x heartbeat timeout)
 * @param resultTtl         how long finished results stay cached by job_id (default 1 h)
 * @param allowTagOverwrite allow pushing a version tag that exists with another image (default false)
 * @param imageCacheBytes   bound for this worker's cached images, LRU-pruned (default 10 GiB)
 * @param pushAttempts      attempts per tag push on transient registry failures (default 3)
 * @param workerId          this worker's id in status and results (default hostname:port)
 * @param gitCacheDir       the git object cache ({@code --git-cache-dir}): one bare mirror per repository,
 *                          shareable by every worker on the host (file-locked); null = {@code <workdir>/../git-cache}
 *                          (so {@code $BLACKTREE_HOME/git-cache} by default)
 * @param gitCacheBytes     bound of the git cache in bytes, least recently used mirrors evicted
 *                          ({@code --git-cache-bytes}, default 5 GiB); 0 = no cache, a plain shallow clone per job
 * @param security          TLS/mTLS and bearer token of the gRPC link ({@code --tls-cert} -> tlsCert,
 *                          {@code --tls-key} -> tlsKey, {@code --tls-client-ca} -> tlsClientCa,
 *                          {@code --auth-token-file} -> authTokenFile; see {@link LinkSecurity}); default none
 * @param buildLimits       network, memory and CPU of RUN steps ({@code --build-network} -> networkMode,
 *                          {@code --build-memory-bytes}, {@code --build-cpu-shares}, {@code --build-cpuset-cpus};
 *                          see {@link BuildLimits}); default network none, 2 GiB, 512 shares
 * @param builder           which builder builds and where BuildKit is ({@code --builder}, {@code --buildkit-addr},
 *                          {@code --buildctl}; see {@link BuilderSettings}); default auto
 * @param provenance        signing of the provenance attested for every image ({@code --signing-key-file},
 *                          {@code --require-signing}; see {@link ProvenanceConfig}); default unsigned
 */
public record WorkerConfig(
    int port, Path workdir, String dockerHost, RegistryMode registryMode, String registryUrl, String registryUser,
    String registryPassword, URI ecrEndpoint, boolean ecrCreateRepositories, String region, URI gitBaseUrl,
    Set<String> gitAllowedHosts, Path gitTokenFile, Set<String> allowedAccounts, Duration jobTimeLimit,
    Duration grace, Duration resultTtl, boolean allowTagOverwrite, long imageCacheBytes, int pushAttempts,
    String workerId, Path gitCacheDir, long gitCacheBytes, LinkSecurity security, BuildLimits buildLimits,
    BuilderSettings builder, ProvenanceConfig provenance) {

  /** How pushes authenticate: {@code ecr}, {@code static} (user/password) or {@code none} (open registry). */
  public enum RegistryMode { ECR, STATIC, NONE }

  public static final int DEFAULT_PORT = 50051;
  public static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
  public static final Duration DEFAULT_JOB_TIME_LIMIT = Duration.ofMinutes(30);
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(40);
  public static final Duration DEFAULT_RESULT_TTL = Duration.ofHours(1);
  public static final long DEFAULT_IMAGE_CACHE_BYTES = 10L * 1024 * 1024 * 1024;
  public static final long DEFAULT_GIT_CACHE_BYTES = 5L * 1024 * 1024 * 1024;

  public WorkerConfig {
    gitAllowedHosts = Set.copyOf(gitAllowedHosts);
    allowedAccounts = Set.copyOf(allowedAccounts);
    security = security == null ? LinkSecurity.none() : security;
    buildLimits = buildLimits == null ? BuildLimits.defaults() : buildLimits;
    builder = builder == null ? BuilderSettings.defaults(home()) : builder;
    provenance = provenance == null ? ProvenanceConfig.unsigned() : provenance;
  }

  /** The config with the default builder settings. */
  public WorkerConfig(int port, Path workdir, String dockerHost, RegistryMode registryMode, String registryUrl,
      String registryUser, String registryPassword, URI ecrEndpoint, boolean ecrCreateRepositories, String region,
      URI gitBaseUrl, Set<String> gitAllowedHosts, Path gitTokenFile, Set<String> allowedAccounts,
      Duration jobTimeLimit, Duration grace, Duration resultTtl, boolean allowTagOverwrite, long imageCacheBytes,
      int pushAttempts, String workerId, Path gitCacheDir, long gitCacheBytes, LinkSecurity security,
      BuildLimits buildLimits) {
    this(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword, ecrEndpoint,
        ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts, jobTimeLimit,
        grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir, gitCacheBytes,
        security, buildLimits, null, null);
  }

  /** This config with other builder settings. */
  public WorkerConfig withBuilder(BuilderSettings settings) {
    return new WorkerConfig(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
        ecrEndpoint, ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts,
        jobTimeLimit, grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir,
        gitCacheBytes, security, buildLimits, settings, provenance);
  }

  /** This config with another provenance signing setup. */
  public WorkerConfig withProvenance(ProvenanceConfig newProvenance) {
    return new WorkerConfig(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
        ecrEndpoint, ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts,
        jobTimeLimit, grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir,
        gitCacheBytes, security, buildLimits, builder, newProvenance);
  }

  /** {@code $BLACKTREE_HOME}, default {@code ~/.blacktree}. */
  static Path home() {
    return Path.of(System.getenv().getOrDefault("BLACKTREE_HOME", System.getProperty("user.home") + "/.blacktree"));
  }

  /** The config with the default build limits. */
  public WorkerConfig(int port, Path workdir, String dockerHost, RegistryMode registryMode, String registryUrl,
      String registryUser, String registryPassword, URI ecrEndpoint, boolean ecrCreateRepositories, String region,
      URI gitBaseUrl, Set<String> gitAllowedHosts, Path gitTokenFile, Set<String> allowedAccounts,
      Duration jobTimeLimit, Duration grace, Duration resultTtl, boolean allowTagOverwrite, long imageCacheBytes,
      int pushAttempts, String workerId, Path gitCacheDir, long gitCacheBytes, LinkSecurity security) {
    this(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword, ecrEndpoint,
        ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts, jobTimeLimit,
        grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir, gitCacheBytes,
        security, BuildLimits.defaults());
  }

  /** This config with other build limits. */
  public WorkerConfig withBuildLimits(BuildLimits limits) {
    return new WorkerConfig(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
        ecrEndpoint, ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts,
        jobTimeLimit, grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir,
        gitCacheBytes, security, limits, builder, provenance);
  }

  /** The config without link security (plaintext, no token). */
  public WorkerConfig(int port, Path workdir, String dockerHost, RegistryMode registryMode, String registryUrl,
      String registryUser, String registryPassword, URI ecrEndpoint, boolean ecrCreateRepositories, String region,
      URI gitBaseUrl, Set<String> gitAllowedHosts, Path gitTokenFile, Set<String> allowedAccounts,
      Duration jobTimeLimit, Duration grace, Duration resultTtl, boolean allowTagOverwrite, long imageCacheBytes,
      int pushAttempts, String workerId, Path gitCacheDir, long gitCacheBytes) {
    this(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword, ecrEndpoint,
        ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts, jobTimeLimit,
        grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir, gitCacheBytes,
        LinkSecurity.none());
  }

  /** This config with another link security. */
  public WorkerConfig withSecurity(LinkSecurity newSecurity) {
    return new WorkerConfig(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
        ecrEndpoint, ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts,
        jobTimeLimit, grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir,
        gitCacheBytes, newSecurity, buildLimits, builder, provenance);
  }

  /** The config without the git cache fields: default cache dir and bound. */
  public WorkerConfig(int port, Path workdir, String dockerHost, RegistryMode registryMode, String registryUrl,
      String registryUser, String registryPassword, URI ecrEndpoint, boolean ecrCreateRepositories, String region,
      URI gitBaseUrl, Set<String> gitAllowedHosts, Path gitTokenFile, Set<String> allowedAccounts,
      Duration jobTimeLimit, Duration grace, Duration resultTtl, boolean allowTagOverwrite, long imageCacheBytes,
      int pushAttempts, String workerId) {
    this(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword, ecrEndpoint,
        ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts, jobTimeLimit,
        grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, null,
        DEFAULT_GIT_CACHE_BYTES);
  }

  /** The git cache directory in effect: {@link #gitCacheDir} or {@code <workdir>/../git-cache}. */
  public Path effectiveGitCacheDir() {
    if (gitCacheDir != null) {
      return gitCacheDir;
    }
    Path parent = workdir.toAbsolutePath().getParent();
    return (parent == null ? workdir.toAbsolutePath() : parent).resolve("git-cache");
  }

  /** This config with another git cache directory and bound. */
  public WorkerConfig withGitCache(Path dir, long bytes) {
    return new WorkerConfig(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
        ecrEndpoint, ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts,
        jobTimeLimit, grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, dir, bytes,
        security, buildLimits, builder, provenance);
  }

  /** The defaults (docs/worker.md, docs/workflow.md timeouts). */
  public static WorkerConfig defaults() {
    return new WorkerConfig(DEFAULT_PORT, home().resolve("worker"), DEFAULT_DOCKER_HOST, RegistryMode.ECR, null, null,
        null, null, false, ValidationPolicy.DEFAULT_REGION, ValidationPolicy.DEFAULT_GIT_BASE_URL,
        Set.of("github.com"), null, Set.of(), DEFAULT_JOB_TIME_LIMIT, DEFAULT_GRACE, DEFAULT_RESULT_TTL, false,
        DEFAULT_IMAGE_CACHE_BYTES, 3, null);
  }

  /** Every problem at once; empty when the config is usable. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (port < 0 || port > 65535) {
      out.add("port: must be 0-65535");
    }
    if (workdir == null) {
      out.add("workdir: is required");
    }
    if (registryMode == null) {
      out.add("registryMode: is required (ecr|static|none)");
    } else if (registryMode != RegistryMode.ECR && (registryUrl == null || registryUrl.isBlank())) {
      out.add("registryUrl: is required for registry mode " + registryMode.name().toLowerCase(Locale.ROOT));
    }
    if (registryMode == RegistryMode.STATIC && (registryUser == null || registryPassword == null)) {
      out.add("registryUser/registryPassword: are required for registry mode static");
    }
    if (jobTimeLimit == null || jobTimeLimit.isNegative() || jobTimeLimit.isZero()) {
      out.add("jobTimeLimit: must be positive");
    }
    if (grace == null || grace.isNegative()) {
      out.add("grace: must not be negative");
    }
    if (gitBaseUrl == null) {
      out.add("gitBaseUrl: is required");
    }
    if (pushAttempts < 1) {
      out.add("pushAttempts: must be at least 1");
    }
    if (gitCacheBytes < 0) {
      out.add("gitCacheBytes: must not be negative (0 = no git cache)");
    }
    out.addAll(security.problems());
    out.addAll(buildLimits.problems());
    out.addAll(builder.problems());
    out.addAll(provenance.problems());
    return out;
  }

  /** This config with another port. */
  public WorkerConfig withPort(int newPort) {
    return new WorkerConfig(newPort, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
        ecrEndpoint, ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts,
        jobTimeLimit, grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir,
        gitCacheBytes, security, buildLimits, builder, provenance);
  }

  @Override
  public String toString() {
    return "WorkerConfig[port=" + port + ", workdir=" + workdir + ", dockerHost=" + dockerHost + ", registryMode="
        + registryMode + ", registryUrl=" + registryUrl + ", registryUser=" + registryUser
        + ", registryPassword=" + (registryPassword == null ? "none" : "****") + ", ecrEndpoint=" + ecrEndpoint
        + ", region=" + region + ", gitBaseUrl=" + gitBaseUrl + ", gitAllowedHosts=" + gitAllowedHosts
        + ", allowedAccounts=" + allowedAccounts + ", jobTimeLimit=" + jobTimeLimit + ", grace=" + grace
        + ", allowTagOverwrite=" + allowTagOverwrite + ", imageCacheBytes=" + imageCacheBytes
        + ", workerId=" + workerId + ", gitCacheDir=" + (workdir == null ? gitCacheDir : effectiveGitCacheDir())
        + ", gitCacheBytes=" + gitCacheBytes + ", security=" + security + ", buildLimits="
        + buildLimits + ", builder=" + builder + ", provenance=" + provenance + "]";
  }
}
