package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.blacktree.core.RequestValidator;
import io.blacktree.core.Readiness;
import io.blacktree.core.SecretRedactor;
import io.blacktree.core.ValidationPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * The build worker deployable ({@code blacktree worker}). {@link #create(Config)} builds the clients once
 * (Docker, the ECR client factory, an HTTP client for the registry API) and wires the steps, the job registry
 * and the gRPC server; {@link #start()} removes stale workspaces and starts serving; {@link #close()} stops.
 */
public final class WorkerApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerApp.class);

  /** How pushes authenticate: {@code ecr}, {@code static} (user/password) or {@code none} (open registry). */
  public enum RegistryMode { ECR, STATIC, NONE }

  /**
   * All options; flag {@code --kebab-case} maps to the field of the same name (e.g. {@code --port} -> port,
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
   */
  public record Config(
      int port, Path workdir, String dockerHost, RegistryMode registryMode, String registryUrl, String registryUser,
      String registryPassword, URI ecrEndpoint, boolean ecrCreateRepositories, String region, URI gitBaseUrl,
      Set<String> gitAllowedHosts, Path gitTokenFile, Set<String> allowedAccounts, Duration jobTimeLimit,
      Duration grace, Duration resultTtl, boolean allowTagOverwrite, long imageCacheBytes, int pushAttempts,
      String workerId, Path gitCacheDir, long gitCacheBytes, LinkSecurity security, BuildLimits buildLimits) {

    public static final int DEFAULT_PORT = 50051;
    public static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
    public static final Duration DEFAULT_JOB_TIME_LIMIT = Duration.ofMinutes(30);
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(40);
    public static final Duration DEFAULT_RESULT_TTL = Duration.ofHours(1);
    public static final long DEFAULT_IMAGE_CACHE_BYTES = 10L * 1024 * 1024 * 1024;
    public static final long DEFAULT_GIT_CACHE_BYTES = 5L * 1024 * 1024 * 1024;

    public Config {
      gitAllowedHosts = Set.copyOf(gitAllowedHosts);
      allowedAccounts = Set.copyOf(allowedAccounts);
      security = security == null ? LinkSecurity.none() : security;
      buildLimits = buildLimits == null ? BuildLimits.defaults() : buildLimits;
    }

    /** The config with the default build limits. */
    public Config(int port, Path workdir, String dockerHost, RegistryMode registryMode, String registryUrl,
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
    public Config withBuildLimits(BuildLimits limits) {
      return new Config(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
          ecrEndpoint, ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts,
          jobTimeLimit, grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir,
          gitCacheBytes, security, limits);
    }

    /** The config without link security (plaintext, no token). */
    public Config(int port, Path workdir, String dockerHost, RegistryMode registryMode, String registryUrl,
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
    public Config withSecurity(LinkSecurity newSecurity) {
      return new Config(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
          ecrEndpoint, ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts,
          jobTimeLimit, grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir,
          gitCacheBytes, newSecurity, buildLimits);
    }

    /** The config without the git cache fields: default cache dir and bound. */
    public Config(int port, Path workdir, String dockerHost, RegistryMode registryMode, String registryUrl,
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
    public Config withGitCache(Path dir, long bytes) {
      return new Config(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
          ecrEndpoint, ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts,
          jobTimeLimit, grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, dir, bytes,
          security, buildLimits);
    }

    /** The defaults of DESIGN.md. */
    public static Config defaults() {
      String home = System.getenv().getOrDefault("BLACKTREE_HOME", System.getProperty("user.home") + "/.blacktree");
      return new Config(DEFAULT_PORT, Path.of(home, "worker"), DEFAULT_DOCKER_HOST, RegistryMode.ECR, null, null,
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
      return out;
    }

    /** This config with another port. */
    public Config withPort(int newPort) {
      return new Config(newPort, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
          ecrEndpoint, ecrCreateRepositories, region, gitBaseUrl, gitAllowedHosts, gitTokenFile, allowedAccounts,
          jobTimeLimit, grace, resultTtl, allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir,
          gitCacheBytes, security, buildLimits);
    }

    @Override
    public String toString() {
      return "Config[port=" + port + ", workdir=" + workdir + ", dockerHost=" + dockerHost + ", registryMode="
          + registryMode + ", registryUrl=" + registryUrl + ", registryUser=" + registryUser
          + ", registryPassword=" + (registryPassword == null ? "none" : "****") + ", ecrEndpoint=" + ecrEndpoint
          + ", region=" + region + ", gitBaseUrl=" + gitBaseUrl + ", gitAllowedHosts=" + gitAllowedHosts
          + ", allowedAccounts=" + allowedAccounts + ", jobTimeLimit=" + jobTimeLimit + ", grace=" + grace
          + ", allowTagOverwrite=" + allowTagOverwrite + ", imageCacheBytes=" + imageCacheBytes
          + ", workerId=" + workerId + ", gitCacheDir=" + (workdir == null ? gitCacheDir : effectiveGitCacheDir())
          + ", gitCacheBytes=" + gitCacheBytes + ", security=" + security + ", buildLimits="
          + buildLimits + "]";
    }
  }

  private final Config config;
  private final DockerClient docker;
  private final RegistryLogin registryLogin;
  private final JobRegistry registry;
  private final WorkerServer server;

  /**
   * Wires the worker from already-built clients.
   *
   * @param docker        the Docker engine client (closed by {@link #close()})
   * @param registryLogin how pushes authenticate (closed by {@link #close()} when AutoCloseable)
   * @param git           the git credentials
   */
  public WorkerApp(Config config, DockerClient docker, RegistryLogin registryLogin, GitCredentials git) {
    this(config, docker, registryLogin, git, System.getenv());
  }

  /**
   * Wires the worker from already-built clients; {@code env} is where the bearer token is looked up
   * ({@value LinkSecurity#TOKEN_ENV}) when no token file is configured.
   */
  public WorkerApp(Config config, DockerClient docker, RegistryLogin registryLogin, GitCredentials git,
      Map<String, String> env) {
    this(config, docker, registryLogin, git, env, JobObserver.NONE);
  }

  /**
   * Wires the worker from already-built clients; {@code observer} sees every job's start, steps and end
   * (metrics, tracing: {@link JobObserver#composite}).
   */
  public WorkerApp(Config config, DockerClient docker, RegistryLogin registryLogin, GitCredentials git,
      Map<String, String> env, JobObserver observer) {
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid worker config: " + String.join("; ", problems));
    }
    this.config = config;
    this.docker = docker;
    this.registryLogin = registryLogin;
    String token;
    try {
      token = config.security().token(env).orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the auth token file " + config.security().authTokenFile(), e);
    }
    ValidationPolicy policy = new ValidationPolicy(config.gitBaseUrl(), config.gitAllowedHosts(),
        config.allowedAccounts(), config.region());
    String workerId = config.workerId() != null ? config.workerId() : hostname() + ":" + config.port();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    JobRunner runner = new JobRunner(
        new CloneStep(policy, git, config.gitCacheBytes() == 0 ? null
            : new GitMirrorCache(config.effectiveGitCacheDir(), config.gitCacheBytes(),
                config.buildLimits().checkoutBytes()), config.buildLimits().checkoutBytes()),
        new BuildStep(docker, config.buildLimits()),
        new LoginStep(registryLogin),
        new PushStep(docker, new RegistryProbe(http), config.allowTagOverwrite(), config.pushAttempts()),
        new ImagePruner(docker, config.imageCacheBytes()),
        config.workdir(),
        workerId,
        observer);
    this.registry = new JobRegistry(runner::run, config.grace(), config.resultTtl(), Clock.systemUTC());
    WorkerService service = new WorkerService(new JobRequests(new RequestValidator(policy)), registry,
        () -> redactorFor(git, config, token), config.region(), config.jobTimeLimit(), workerId, version(),
        Clock.systemUTC());
    try {
      this.server = new WorkerServer(config.port(), config.security().serverCredentials(), service,
          token == null ? null : new BearerTokenInterceptor(token), docker);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the worker's TLS files", e);
    }
    if (token != null && !config.security().tls()) {
      LOG.warn("a bearer token is configured but the link is plaintext: the token can be sniffed; set --tls-cert");
    }
  }

  /** Builds the clients from {@code config} (Docker, ECR factory, git credentials from file/env) and wires. */
  public static WorkerApp create(Config config) {
    return create(config, JobObserver.NONE);
  }

  /** As {@link #create(Config)}, with {@code observer} seeing every job. */
  public static WorkerApp create(Config config, JobObserver observer) {
    try {
      return new WorkerApp(config, dockerClient(config.dockerHost()), registryLogin(config),
          GitCredentials.load(config.gitTokenFile(), System.getenv()), System.getenv(), observer);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the git token file", e);
    }
  }

  /** A docker-java client over the zerodep transport. */
  public static DockerClient dockerClient(String dockerHost) {
    DefaultDockerClientConfig dc = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(dockerHost == null ? Config.DEFAULT_DOCKER_HOST : dockerHost)
        .build();
    ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(dc.getDockerHost())
        .connectionTimeout(Duration.ofSeconds(10))
        .build();
    return DockerClientImpl.getInstance(dc, http);
  }

  /** The login the config asks for; ECR clients use the default credential chain. */
  public static RegistryLogin registryLogin(Config config) {
    return switch (config.registryMode()) {
      case NONE -> new NoLogin(config.registryUrl());
      case STATIC -> new StaticLogin(config.registryUrl(), config.registryUser(), config.registryPassword());
      case ECR -> new EcrLogin(region -> {
        var b = EcrClient.builder().region(Region.of(region)).httpClientBuilder(UrlConnectionHttpClient.builder());
        if (config.ecrEndpoint() != null) {
          b.endpointOverride(config.ecrEndpoint());
        }
        return b.build();
      }, config.ecrCreateRepositories());
    };
  }

  private static SecretRedactor redactorFor(GitCredentials git, Config config, String token) {
    SecretRedactor r = new SecretRedactor();
    git.register(r);
    if (token != null) {
      r.addSecret(token);
    }
    if (config.registryPassword() != null) {
      r.addSecret(config.registryPassword());
    }
    return r;
  }

  /** Removes stale workspaces and starts serving. */
  public void start() throws IOException {
    int stale = Workspace.removeStale(config.workdir());
    if (stale > 0) {
      LOG.info("removed {} stale workspace(s) under {}", stale, config.workdir());
    }
    server.start();
    LOG.info("worker listening on port {} ({})", server.port(), config);
  }

  /** The config this worker runs with. */
  public Config config() {
    return config;
  }

  /** Ready when the Docker engine answers a ping (what {@code /health/ready} reports). */
  public Readiness readiness() {
    return new EngineReadiness(docker);
  }

  /** The bound gRPC port. */
  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
    registry.close();
    if (registryLogin instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("registry login close failed", e);
      }
    }
    try {
      docker.close();
    } catch (IOException e) {
      LOG.debug("docker client close failed", e);
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "worker";
    }
  }

  private static String version() {
    String v = WorkerApp.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
