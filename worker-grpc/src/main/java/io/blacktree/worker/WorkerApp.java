package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.blacktree.core.RequestValidator;
import io.blacktree.core.Readiness;
import io.blacktree.core.SecretRedactor;
import io.blacktree.core.ValidationPolicy;
import io.blacktree.worker.provenance.AttestationSigner;
import io.blacktree.worker.provenance.AttestationStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * The build worker deployable ({@code blacktree worker}). {@link #create(WorkerConfig)} builds the clients once
 * (Docker, the ECR client factory, an HTTP client for the registry API) and wires the steps, the job registry
 * and the gRPC server; {@link #start()} removes stale workspaces and starts serving; {@link #close()} stops.
 */
public final class WorkerApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerApp.class);

  private final WorkerConfig config;
  private final DockerClient docker;
  private final RegistryLogin registryLogin;
  private final JobRegistry registry;
  private final WorkerServer server;
  private final boolean insecureExposure;

  /**
   * Wires the worker from already-built clients; {@code observer} sees every job's start, steps and end
   * (metrics, tracing: {@link JobObserver#composite}).
   *
   * @throws IllegalArgumentException the config is invalid, or it would serve a non-loopback address without
   *                                  mTLS or token and without {@code --insecure-listen} (the message says how
   *                                  to protect the port: {@link LinkSecurity#exposureRefusal})
   */
  public WorkerApp(WorkerConfig config, DockerClient docker, RegistryLogin registryLogin, GitCredentials git,
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
    LinkSecurity security = config.security();
    security.exposureRefusal(token != null).ifPresent(refusal -> {
      throw new IllegalArgumentException(refusal);
    });
    this.insecureExposure = security.insecureExposure(token != null);
    ValidationPolicy policy = config.policy();
    String workerId = config.workerId() != null ? config.workerId() : hostname() + ":" + config.port();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    JobRunner runner = new JobRunner(
        new CloneStep(policy, git, config.gitCacheBytes() == 0 ? null
            : new GitMirrorCache(config.effectiveGitCacheDir(), config.gitCacheBytes(),
                config.buildLimits().checkoutBytes()),
            new KeptSources(config.workdir().resolve("sources"), config.gitCacheBytes()),
            config.buildLimits().checkoutBytes()),
        RemoteSourcePolicy.of(config.buildLimits(),
            config.registryMode() == WorkerConfig.RegistryMode.ECR ? null : config.registryUrl()),
        builders(config, docker, new LoginStep(registryLogin),
            new RegistryTags(new RegistryProbe(http), config.allowTagOverwrite(), config.pushAttempts())),
        new ProvenanceStep(signer(config.provenance()), new AttestationStore(http), new RegistryProbe(http), docker,
            new LoginStep(registryLogin), version(), workerId),
        config.workdir(),
        workerId,
        observer);
    this.registry = new JobRegistry(runner::run, config.grace(), config.resultTtl(), Clock.systemUTC());
    WorkerService service = new WorkerService(new JobSpecs(new RequestValidator(policy), config.jobTimeLimit()),
        registry, () -> redactorFor(git, config, token), workerId, version(), Clock.systemUTC());
    try {
      this.server = new WorkerServer(security.listen(), config.port(), security.serverCredentials(), service,
          token == null ? null : new BearerTokenInterceptor(token), docker);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the worker's TLS files", e);
    }
    if (insecureExposure) {
      LOG.warn("--insecure-listen: serving {}:{} in plaintext or without client authentication; anyone who "
          + "reaches it can run jobs with this worker's credentials (require mTLS or a bearer token instead)",
          security.listen(), config.port());
    }
    if (token != null && !security.tls()) {
      LOG.warn("a bearer token is configured but the link is plaintext: the token can be sniffed; set --tls-cert");
    }
  }

  private static BuilderChoice builders(WorkerConfig config, DockerClient docker, LoginStep login,
      RegistryTags tags) {
    BuilderSettings b = config.builderSettings();
    EngineBuilder engine = new EngineBuilder(new BuildStep(docker, config.buildLimits()), login,
        new PushStep(docker, tags), new ImagePruner(docker, config.imageCacheBytes()));
    BuildKitBuilder buildkit = new BuildKitBuilder(login,
        new BuildctlBuild(b.buildctl(), b.buildkitAddr(), new FrontendOptions(config.buildLimits()),
            new RegistryCache(b.registryCache(), b.registryCacheFallback()), b.secrets()), tags);
    return new BuilderChoice(b.mode(), engine, buildkit, b.buildkitAddr());
  }

  /**
   * The signer of {@code provenance}: its key read once (a missing, unreadable or non-P-256 key stops the worker
   * from starting), or unsigned with a warning when no key file is given.
   */
  private static AttestationSigner signer(ProvenanceConfig provenance) {
    if (provenance.signingKeyFile() == null) {
      LOG.warn("no signing key (--signing-key-file): provenance attestations are attached UNSIGNED");
      return AttestationSigner.unsigned();
    }
    try {
      AttestationSigner signer = AttestationSigner.fromKeyFile(provenance.signingKeyFile());
      LOG.info("provenance attestations are signed with the key in {}", provenance.signingKeyFile());
      return signer;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot use the signing key: " + e.getMessage());
    }
  }

  /**
   * Builds the clients from {@code config} (Docker, ECR factory, git credentials from file/env) and wires, with
   * {@code observer} seeing every job.
   */
  public static WorkerApp create(WorkerConfig config, JobObserver observer) {
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
        .withDockerHost(dockerHost)
        .build();
    ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(dc.getDockerHost())
        .connectionTimeout(Duration.ofSeconds(10))
        .build();
    return DockerClientImpl.getInstance(dc, http);
  }

  /** The login the config asks for; ECR clients use the default credential chain. */
  public static RegistryLogin registryLogin(WorkerConfig config) {
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

  private static SecretRedactor redactorFor(GitCredentials git, WorkerConfig config, String token) {
    SecretRedactor r = new SecretRedactor();
    git.register(r);
    if (token != null) {
      r.addSecret(token);
    }
    if (config.registryPassword() != null) {
      r.addSecret(config.registryPassword());
    }
    config.builderSettings().secrets().register(r);
    return r;
  }

  /** Removes stale workspaces and starts serving. */
  public void start() throws IOException {
    int stale = Workspace.removeStale(config.workdir());
    if (stale > 0) {
      LOG.info("removed {} stale workspace(s) under {}", stale, config.workdir());
    }
    server.start();
    LOG.info("worker listening on {}:{} ({})", config.security().listen(), server.port(), config);
  }

  /** The config this worker runs with. */
  public WorkerConfig config() {
    return config;
  }

  /** Ready when the Docker engine answers a ping (what {@code /health/ready} reports). */
  public Readiness readiness() {
    return new EngineReadiness(docker);
  }

  /**
   * Whether this worker serves a non-loopback address without mTLS or token because {@code --insecure-listen}
   * allowed it (exported as the gauge {@code blacktree_worker_insecure_listen}).
   */
  public boolean insecureListen() {
    return insecureExposure;
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
