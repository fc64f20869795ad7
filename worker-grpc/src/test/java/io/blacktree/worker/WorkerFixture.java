package io.blacktree.worker;

import io.blacktree.core.ValidationPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.WatchJobRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.testsupport.git.GitRepos;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * One real worker for an IT: a {@link WorkerApp} on an ephemeral port against the real Docker engine (the
 * engine's builder unless a test asks for BuildKit), its own workdir, and a plain generated gRPC stub over a real channel. Plus helpers the ITs share: test repos
 * with tiny images (FROM scratch + busybox), unique names, registry reads, docker CLI.
 */
final class WorkerFixture implements AutoCloseable {
  static final String ACCOUNT = "123456789012";
  static final String OPEN_REGISTRY = "127.0.0.1:5000";
  static final String AUTH_REGISTRY = "127.0.0.1:5001";
  static final String REGISTRY_USER = env("BLACKTREE_TEST_REGISTRY_USER", "blacktree");
  static final String REGISTRY_PASSWORD = env("BLACKTREE_TEST_REGISTRY_PASSWORD", "blacktree-secret");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final Path workdir;
  final WorkerApp app;
  final ManagedChannel channel;
  final WorkerGrpc.WorkerBlockingStub stub;

  private WorkerFixture(Path workdir, WorkerApp app) throws IOException {
    this.workdir = workdir;
    this.app = app;
    app.start();
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", app.port()).usePlaintext()
        .keepAliveTime(30, TimeUnit.SECONDS).build();
    this.stub = WorkerGrpc.newBlockingStub(channel);
  }

  /** A worker with the test defaults (open registry, git base URL as given), adjusted by {@code customize}. */
  static WorkerFixture start(Path dir, String gitBaseUrl, RegistryLogin login, GitCredentials git,
      UnaryOperator<WorkerConfig.Builder> customize) throws IOException {
    WorkerConfig config = customize.apply(config(dir, gitBaseUrl)).build();
    return new WorkerFixture(config.workdir(),
        new WorkerApp(config, WorkerApp.dockerClient(config.dockerHost()), login, git, System.getenv(),
            JobObserver.NONE));
  }

  static WorkerFixture start(Path dir, String gitBaseUrl) throws IOException {
    return start(dir, gitBaseUrl, new NoLogin(OPEN_REGISTRY), gitToken(null), c -> c);
  }

  /** The worker's git credentials: {@code token} as if from env {@value GitCredentials#ENV_TOKEN}; null = none. */
  static GitCredentials gitToken(String token) {
    try {
      return GitCredentials.load(null, token == null ? Map.of() : Map.of(GitCredentials.ENV_TOKEN, token));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The test defaults: an ephemeral port, the open registry, repos from {@code gitBaseUrl}, short grace and job
   * limit. The worker ITs pin the engine's builder unless they are about BuildKit (then
   * {@code builderMode(BUILDKIT)} against the buildkitd {@code scripts/services} starts), so each path is tested
   * on purpose.
   */
  static WorkerConfig.Builder config(Path dir, String gitBaseUrl) {
    return WorkerConfig.builder().port(0).workdir(dir.resolve("workdir"))
        .registryMode(WorkerConfig.RegistryMode.NONE).registryUrl(OPEN_REGISTRY)
        .policy(new ValidationPolicy(URI.create(gitBaseUrl), Set.of(), Set.of(), "us-east-1"))
        .jobTimeLimit(Duration.ofMinutes(5)).grace(Duration.ofSeconds(3)).resultTtl(Duration.ofMinutes(10))
        .imageCacheBytes(Long.MAX_VALUE / 4).pushAttempts(3).workerId("it-worker")
        .builderMode(BuilderSettings.Mode.ENGINE);
  }

  WorkerGrpc.WorkerBlockingStub stub(long seconds) {
    return stub.withDeadlineAfter(seconds, TimeUnit.SECONDS);
  }

  /** A unique lowercase name (ECR repo rule) for this test run. */
  static String unique(String prefix) {
    return "it/" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Files of a tiny app: its image prints {@code text} when run. */
  static Map<String, Object> app(String text) {
    return app(text, "");
  }

  /** A tiny app: busybox, {@code hello.txt} holding {@code text}, and exactly {@code dockerfile}. */
  static Map<String, Object> appWith(String text, String dockerfile) {
    Map<String, Object> files = app(text);
    files.put("Dockerfile", dockerfile);
    return files;
  }

  /** A tiny app whose Dockerfile has {@code extra} instructions before CMD. */
  static Map<String, Object> app(String text, String extra) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("hello.txt", text + "\n");
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello.txt /hello.txt\n" + extra
        + "CMD [\"/bin/busybox\", \"cat\", \"/hello.txt\"]\n");
    return files;
  }

  static JobRequest.Builder request(String repo, String branch, String version) {
    String ecrRepo = repo;
    String workflowId = "deploy:" + ACCOUNT + ":us-east-1:" + ecrRepo + ":" + version;
    return JobRequest.newBuilder()
        .setRepoUrl(repo)
        .setBranch(branch)
        .setDeploymentVersion(version)
        .setAwsAccountId(ACCOUNT)
        .setEcrRepo(ecrRepo)
        .setWorkflowId(workflowId)
        .setJobId(workflowId + "/" + UUID.randomUUID() + "/1");
  }

  /** Polls GetStatus until FREE (60 s bound). */
  void awaitFree() throws InterruptedException {
    long end = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < end) {
      if (stub(5).getStatus(GetStatusRequest.getDefaultInstance()).getState() == WorkerState.FREE) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("worker not FREE within 60 s");
  }

  /**
   * Asserts no job workspace is left under the workdir once the worker is FREE (a job answers first and removes its
   * workspace after, staying BUSY until it is gone).
   */
  void assertNoWorkspace() throws IOException, InterruptedException {
    awaitFree();
    if (!Files.exists(workdir)) {
      return;
    }
    try (Stream<Path> s = Files.list(workdir)) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(Workspace.PREFIX)).toList())
          .as("job workspaces left under " + workdir).isEmpty();
    }
  }

  /** Every stored event of a job, from sequence 0 to the final response. */
  List<JobEvent> events(String jobId) {
    List<JobEvent> out = new ArrayList<>();
    stub(120).watchJob(WatchJobRequest.newBuilder().setJobId(jobId).build()).forEachRemaining(out::add);
    return out;
  }

  /** The manifest digest a registry holds for repo:tag (null when absent). */
  static String registryDigest(String registry, String repo, String tag, String user, String password)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + registry + "/v2/" + repo + "/manifests/" + tag))
        .method("HEAD", HttpRequest.BodyPublishers.noBody())
        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, "
            + "application/vnd.oci.image.manifest.v1+json");
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<Void> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding());
    return r.statusCode() == 200 ? r.headers().firstValue("Docker-Content-Digest").orElse(null) : null;
  }

  /** Runs the docker CLI; returns stdout+stderr; fails on a non-zero exit. */
  static String docker(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("docker"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("docker " + String.join(" ", args) + ": " + out).isZero();
    return out;
  }

  /** Pulls {@code ref} (an image the engine never built), runs it without network, removes it; its output. */
  static String pullAndRunRemote(String ref) throws IOException, InterruptedException {
    docker("pull", "-q", ref);
    try {
      return docker("run", "--rm", "--network", "none", ref);
    } finally {
      docker("rmi", "-f", ref);
    }
  }

  /** Fails (CI) or skips the test when no buildkitd answers where the BuildKit builder looks for it. */
  static void requireBuildKit() {
    BuilderSettings b = WorkerConfig.builder().build().builderSettings();
    io.blacktree.testsupport.ServiceRequirement.requireThat(
        BuilderChoice.unreachable(b.buildkitAddr()) == null && Files.isExecutable(b.buildctl()),
        "buildkitd at " + b.buildkitAddr() + " and " + b.buildctl() + " (scripts/services start buildkit)");
  }

  /** Containers (any state) whose command line contains {@code marker}. */
  static List<String> containersWith(String marker) throws IOException, InterruptedException {
    return docker("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}").lines()
        .filter(l -> l.contains(marker)).toList();
  }

  static GitRepos repos(Path dir) {
    return new GitRepos(dir.resolve("git"));
  }

  private static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    app.close();
  }
}
