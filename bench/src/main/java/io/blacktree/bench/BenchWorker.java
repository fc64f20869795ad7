package io.blacktree.bench;

import io.blacktree.core.ValidationPolicy;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.StepDuration;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.worker.BuilderSettings;
import io.blacktree.worker.JobObserver;
import io.blacktree.worker.WorkerApp;
import io.blacktree.worker.WorkerConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real build worker in this JVM (registry mode none, its own workspace and git mirror cache, the builder of
 * {@link BuildOptions}), driven over gRPC RunJob as the dispatch activity drives it. A job's figures are its
 * step durations as the response reports them, the RunJob call's wall time and what the reuse summary says.
 */
final class BenchWorker implements AutoCloseable {
  /** One finished job: milliseconds per step (clone, login, build, tag, cleanup, rest, total) and its reuse. */
  record Run(Map<String, Double> steps, long bytesFetched, int cachedSteps, int remoteCachedSteps, String digest) {}

  private final WorkerApp app;
  private final ManagedChannel channel;

  BenchWorker(Path dir, String registry, URI gitBaseUrl, BuildOptions opts) throws Exception {
    this(dir, registry, gitBaseUrl, opts, opts.buildkitAddr(), opts.registryCache());
  }

  /**
   * A worker on another build host: its own workspace and git mirror cache under {@code dir}, the buildkitd at
   * {@code buildkitAddr}, the registry cache on or off.
   */
  BenchWorker(Path dir, String registry, URI gitBaseUrl, BuildOptions opts, String buildkitAddr,
      boolean registryCache) throws Exception {
    this(dir, registry, gitBaseUrl, opts, buildkitAddr, registryCache, JobObserver.NONE);
  }

  /** A worker on another build host whose jobs {@code observer} sees; its worker ID names {@code dir}. */
  BenchWorker(Path dir, String registry, URI gitBaseUrl, BuildOptions opts, String buildkitAddr,
      boolean registryCache, JobObserver observer) throws Exception {
    WorkerConfig wc = WorkerConfig.builder().port(0).workdir(dir.resolve("work"))
        .registryMode(WorkerConfig.RegistryMode.NONE).registryUrl(registry)
        .policy(new ValidationPolicy(gitBaseUrl, Set.of("127.0.0.1"), Set.of(), ValidationPolicy.DEFAULT_REGION))
        .workerId("bench-" + dir.getFileName()).gitCacheDir(dir.resolve("git-cache"))
        .builderMode(BuilderSettings.Mode.parse(opts.builder())).buildkitAddr(buildkitAddr)
        .buildctl(opts.buildctl()).registryCache(registryCache).build();
    app = WorkerApp.create(wc, observer);
    app.start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", app.port()).usePlaintext().build();
  }

  /** {@code host:port} of its gRPC server, as an orchestrator's {@code --workers} names it. */
  String address() {
    return "127.0.0.1:" + app.port();
  }

  Run run(String repo, String version) {
    String jobId = "bench:" + repo + ":" + version + "/run/1";
    long t0 = System.nanoTime();
    JobResponse r = WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.MINUTES).runJob(
        JobRequest.newBuilder().setRepoUrl(repo).setBranch("main").setDeploymentVersion(version)
            .setAwsAccountId("123456789012").setRegion("us-east-1").setEcrRepo(repo).setJobId(jobId)
            .setWorkflowId("bench:" + repo + ":" + version).build());
    double total = (System.nanoTime() - t0) / 1e6;
    if (r.getStatus() != JobResponse.Status.SUCCESS) {
      throw new IllegalStateException("worker job " + jobId + " failed: " + r.getErrorKind() + " "
          + r.getErrorMessage() + "\n" + r.getLogs());
    }
    Map<String, Long> steps = new TreeMap<>();
    for (StepDuration d : r.getStepDurationsList()) {
      steps.merge(d.getStep().name(), d.getMillis(), Long::sum);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("clone", (double) steps.getOrDefault("CLONING", 0L));
    out.put("login", (double) steps.getOrDefault("LOGGING_IN", 0L));
    out.put("build", (double) steps.getOrDefault("BUILDING", 0L));
    out.put("push", (double) steps.getOrDefault("PUSHING", 0L));
    out.put("cleanup", (double) steps.getOrDefault("CLEANING_UP", 0L));
    out.put("rest", total - steps.values().stream().mapToLong(Long::longValue).sum());
    out.put("total", total);
    System.out.println("# worker reuse " + repo + ":" + version + ": cached_build_steps="
        + r.getReuse().getCachedBuildSteps() + " remote_cached_build_steps="
        + r.getReuse().getRemoteCachedBuildSteps() + " mirror_hit=" + r.getReuse().getMirrorHit() + " bytes_fetched="
        + r.getReuse().getBytesFetched() + " layers_pushed=" + r.getReuse().getLayersPushed()
        + " layers_already_in_registry=" + r.getReuse().getLayersAlreadyInRegistry());
    return new Run(out, r.getReuse().getBytesFetched(), r.getReuse().getCachedBuildSteps(),
        r.getReuse().getRemoteCachedBuildSteps(), r.getDigest());
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    app.close();
  }
}
