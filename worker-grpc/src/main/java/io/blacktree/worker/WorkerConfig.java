package io.blacktree.worker;

import io.blacktree.core.Defaults;
import io.blacktree.core.ValidationPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The build worker's options, made by {@link #builder()}, which holds every default. A flag
 * {@code --kebab-case} sets the builder method of the same name ({@code --docker-host} -> dockerHost,
 * {@code --registry} -> registryMode, {@code --build-network} -> buildNetwork).
 *
 * @param port              gRPC port (0 = ephemeral)
 * @param workdir           directory for per-job workspaces, owned by this worker
 * @param dockerHost        Docker engine
 * @param registryMode      how pushes authenticate
 * @param registryUrl       registry for static/none (e.g. {@code 127.0.0.1:5000}); unused for ecr (the
 *                          registry comes from ECR's proxyEndpoint)
 * @param registryUser      static mode user
 * @param registryPassword  static mode password (prefer env {@code BLACKTREE_REGISTRY_PASSWORD})
 * @param ecrEndpoint       ECR API endpoint override (null = AWS)
 * @param ecrCreateRepositories create a missing ECR repository
 * @param policy            where repos may come from, which accounts are allowed, the default region
 *                          ({@code --git-base-url}, {@code --git-allowed-hosts}, {@code --allowed-accounts},
 *                          {@code --region})
 * @param gitTokenFile      file holding the git token (null = env {@code BLACKTREE_GIT_TOKEN}, else none)
 * @param jobTimeLimit      job time limit (a request may only lower it)
 * @param grace             how long an orphaned job waits for a re-attach (2 x the dispatch heartbeat timeout)
 * @param resultTtl         how long finished results stay cached by job_id
 * @param allowTagOverwrite allow pushing a version tag that exists with another image
 * @param imageCacheBytes   bound for this worker's cached images, LRU-pruned
 * @param pushAttempts      attempts per tag push on transient registry failures
 * @param workerId          this worker's id in status and results (null = hostname:port)
 * @param gitCacheDir       the git object cache: one bare mirror per repository, shareable by every worker on
 *                          the host (file-locked); null = {@code <workdir>/../git-cache}
 * @param gitCacheBytes     bound of the git cache, least recently used mirrors evicted; 0 = no cache, a plain
 *                          shallow clone per job
 * @param security          TLS/mTLS, bearer token and listen address of the gRPC link (see {@link LinkSecurity})
 * @param buildLimits       network, memory, CPU and checkout size of a build, remote sources allowed (see
 *                          {@link BuildLimits})
 * @param builderSettings   which builder builds and where BuildKit is (see {@link BuilderSettings})
 * @param provenance        signing of the provenance attested for every image (see {@link ProvenanceConfig})
 */
public record WorkerConfig(
    int port, Path workdir, String dockerHost, RegistryMode registryMode, String registryUrl, String registryUser,
    String registryPassword, URI ecrEndpoint, boolean ecrCreateRepositories, ValidationPolicy policy,
    Path gitTokenFile, Duration jobTimeLimit, Duration grace, Duration resultTtl, boolean allowTagOverwrite,
    long imageCacheBytes, int pushAttempts, String workerId, Path gitCacheDir, long gitCacheBytes,
    LinkSecurity security, BuildLimits buildLimits, BuilderSettings builderSettings, ProvenanceConfig provenance) {

  /** How pushes authenticate: {@code ecr}, {@code static} (user/password) or {@code none} (open registry). */
  public enum RegistryMode { ECR, STATIC, NONE }

  /** A builder holding every default (docs/worker.md; the job time limit of docs/workflow.md). */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code $BLACKTREE_HOME}, default {@code ~/.blacktree}. */
  static Path home() {
    return Path.of(System.getenv().getOrDefault("BLACKTREE_HOME", System.getProperty("user.home") + "/.blacktree"));
  }

  /** The git cache directory in effect: {@link #gitCacheDir} or {@code <workdir>/../git-cache}. */
  public Path effectiveGitCacheDir() {
    if (gitCacheDir != null) {
      return gitCacheDir;
    }
    Path parent = workdir.toAbsolutePath().getParent();
    return (parent == null ? workdir.toAbsolutePath() : parent).resolve("git-cache");
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
    if (pushAttempts < 1) {
      out.add("pushAttempts: must be at least 1");
    }
    if (gitCacheBytes < 0) {
      out.add("gitCacheBytes: must not be negative (0 = no git cache)");
    }
    out.addAll(security.problems());
    out.addAll(buildLimits.problems());
    out.addAll(builderSettings.problems());
    out.addAll(provenance.problems());
    return out;
  }

  @Override
  public String toString() {
    return "WorkerConfig[port=" + port + ", workdir=" + workdir + ", dockerHost=" + dockerHost + ", registryMode="
        + registryMode + ", registryUrl=" + registryUrl + ", registryUser=" + registryUser
        + ", registryPassword=" + (registryPassword == null ? "none" : "****") + ", ecrEndpoint=" + ecrEndpoint
        + ", policy=" + policy + ", jobTimeLimit=" + jobTimeLimit + ", grace=" + grace
        + ", allowTagOverwrite=" + allowTagOverwrite + ", imageCacheBytes=" + imageCacheBytes
        + ", workerId=" + workerId + ", gitCacheDir=" + (workdir == null ? gitCacheDir : effectiveGitCacheDir())
        + ", gitCacheBytes=" + gitCacheBytes + ", security=" + security + ", buildLimits="
        + buildLimits + ", builder=" + builderSettings + ", provenance=" + provenance + "]";
  }

  /**
   * Builds a {@link WorkerConfig}: every option starts at its default, written here once. The nested records
   * ({@link LinkSecurity}, {@link BuildLimits}, {@link BuilderSettings}, {@link ProvenanceConfig}) are set one
   * field at a time, under their flag's name.
   */
  public static final class Builder {
    private int port = 50051;
    private Path workdir = home().resolve("worker");
    private String dockerHost = "unix:///var/run/docker.sock";
    private RegistryMode registryMode = RegistryMode.ECR;
    private String registryUrl;
    private String registryUser;
    private String registryPassword;
    private URI ecrEndpoint;
    private boolean ecrCreateRepositories;
    private ValidationPolicy policy = ValidationPolicy.defaults();
    private Path gitTokenFile;
    private Duration jobTimeLimit = Defaults.JOB_TIME_LIMIT;
    private Duration grace = Duration.ofSeconds(40);
    private Duration resultTtl = Duration.ofHours(1);
    private boolean allowTagOverwrite;
    private long imageCacheBytes = 10L << 30;
    private int pushAttempts = 3;
    private String workerId;
    private Path gitCacheDir;
    private long gitCacheBytes = 5L << 30;
    private Path tlsCert;
    private Path tlsKey;
    private Path tlsClientCa;
    private Path authTokenFile;
    private String listen = LinkSecurity.DEFAULT_LISTEN;
    private boolean insecureListen;
    private String buildNetwork = "none";
    private long buildMemoryBytes = 2L << 30;
    private int buildCpuShares = 512;
    private String buildCpusetCpus;
    private long maxCheckoutBytes = 1L << 30;
    private Set<String> allowedBaseRegistries = Set.of();
    private Set<String> allowedAddHosts = Set.of();
    private BuilderSettings.Mode builderMode = BuilderSettings.Mode.AUTO;
    private String buildkitAddr = "unix://" + home().resolve("run/buildkitd.sock");
    private Path buildctl = home().resolve("bin/buildctl");
    private boolean registryCache = true;
    private String registryCacheFallback = "main";
    private Map<String, Path> buildSecrets = Map.of();
    private Path signingKeyFile;
    private boolean requireSigning;

    private Builder() {}

    public Builder port(int v) { port = v; return this; }
    public Builder workdir(Path v) { workdir = v; return this; }
    public Builder dockerHost(String v) { dockerHost = v; return this; }
    public Builder registryMode(RegistryMode v) { registryMode = v; return this; }
    public Builder registryUrl(String v) { registryUrl = v; return this; }
    public Builder registryUser(String v) { registryUser = v; return this; }
    public Builder registryPassword(String v) { registryPassword = v; return this; }
    public Builder ecrEndpoint(URI v) { ecrEndpoint = v; return this; }
    public Builder ecrCreateRepositories(boolean v) { ecrCreateRepositories = v; return this; }
    public Builder policy(ValidationPolicy v) { policy = v; return this; }
    public Builder gitTokenFile(Path v) { gitTokenFile = v; return this; }
    public Builder jobTimeLimit(Duration v) { jobTimeLimit = v; return this; }
    public Builder grace(Duration v) { grace = v; return this; }
    public Builder resultTtl(Duration v) { resultTtl = v; return this; }
    public Builder allowTagOverwrite(boolean v) { allowTagOverwrite = v; return this; }
    public Builder imageCacheBytes(long v) { imageCacheBytes = v; return this; }
    public Builder pushAttempts(int v) { pushAttempts = v; return this; }
    public Builder workerId(String v) { workerId = v; return this; }
    public Builder gitCacheDir(Path v) { gitCacheDir = v; return this; }
    public Builder gitCacheBytes(long v) { gitCacheBytes = v; return this; }
    public Builder tlsCert(Path v) { tlsCert = v; return this; }
    public Builder tlsKey(Path v) { tlsKey = v; return this; }
    public Builder tlsClientCa(Path v) { tlsClientCa = v; return this; }
    public Builder authTokenFile(Path v) { authTokenFile = v; return this; }
    public Builder listen(String v) { listen = v; return this; }
    public Builder insecureListen(boolean v) { insecureListen = v; return this; }
    public Builder buildNetwork(String v) { buildNetwork = v; return this; }
    public Builder buildMemoryBytes(long v) { buildMemoryBytes = v; return this; }
    public Builder buildCpuShares(int v) { buildCpuShares = v; return this; }
    public Builder buildCpusetCpus(String v) { buildCpusetCpus = v; return this; }
    public Builder maxCheckoutBytes(long v) { maxCheckoutBytes = v; return this; }
    public Builder allowedBaseRegistries(Set<String> v) { allowedBaseRegistries = Set.copyOf(v); return this; }
    public Builder allowedAddHosts(Set<String> v) { allowedAddHosts = Set.copyOf(v); return this; }
    public Builder builderMode(BuilderSettings.Mode v) { builderMode = v; return this; }
    public Builder buildkitAddr(String v) { buildkitAddr = v; return this; }
    public Builder buildctl(Path v) { buildctl = v; return this; }
    public Builder registryCache(boolean v) { registryCache = v; return this; }
    public Builder registryCacheFallback(String v) { registryCacheFallback = v; return this; }
    public Builder buildSecrets(Map<String, Path> v) { buildSecrets = Map.copyOf(v); return this; }
    public Builder signingKeyFile(Path v) { signingKeyFile = v; return this; }
    public Builder requireSigning(boolean v) { requireSigning = v; return this; }

    /** The validation policy so far, for a caller that changes part of it. */
    public ValidationPolicy policy() {
      return policy;
    }

    public WorkerConfig build() {
      return new WorkerConfig(port, workdir, dockerHost, registryMode, registryUrl, registryUser, registryPassword,
          ecrEndpoint, ecrCreateRepositories, policy, gitTokenFile, jobTimeLimit, grace, resultTtl,
          allowTagOverwrite, imageCacheBytes, pushAttempts, workerId, gitCacheDir, gitCacheBytes,
          new LinkSecurity(tlsCert, tlsKey, tlsClientCa, authTokenFile, listen, insecureListen),
          new BuildLimits(buildNetwork, buildMemoryBytes, buildCpuShares, buildCpusetCpus, maxCheckoutBytes,
              allowedBaseRegistries, allowedAddHosts),
          new BuilderSettings(builderMode, buildkitAddr, buildctl, registryCache, registryCacheFallback,
              new BuildSecrets(buildSecrets)),
          new ProvenanceConfig(signingKeyFile, requireSigning));
    }
  }
}
