package io.blacktree.bench;

import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.StepDuration;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.blacktree.worker.WorkerApp;
import io.blacktree.worker.WorkerConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Section 1: the real build worker (in process, driven over gRPC RunJob) against what a skilled engineer
 * would script by hand ({@code git clone --depth 1 --branch B}, {@code docker build} with {@code .git} in
 * {@code .dockerignore}, {@code docker push}), on the same engine, registry and git daemon, interleaved run
 * by run. Cold = a repository neither has seen (unique content, so no layer is cached anywhere); warm = the
 * same repository again after a commit that changes one source file.
 */
final class ScriptVsWorker {
  static final String BASE = "blacktree/busybox-base:1";
  private static final long SETTLE_MILLIS = 2_000;
  private static final String[] STEPS = {"clone", "build", "push", "total"};

  private final BenchConfig cfg;
  private final Report report;
  private final Path tmp;
  /** case -> mode (cold/warm) -> tool (worker/script) -> step -> samples (ms). */
  private final Map<String, Map<String, Map<String, Map<String, List<Double>>>>> samples = new LinkedHashMap<>();

  ScriptVsWorker(BenchConfig cfg, Report report, Path tmp) {
    this.cfg = cfg;
    this.report = report;
    this.tmp = tmp;
  }

  void run() throws Exception {
    report.section("1. Worker vs a skilled engineer's script");
    ensureBase();
    GitRepos repos = new GitRepos(tmp.resolve("git"));
    try (GitDaemonServer daemon = GitDaemonServer.start(repos.baseDir())) {
      WorkerConfig wc = WorkerConfig.defaults();
      wc = new WorkerConfig(0, tmp.resolve("worker/work"), wc.dockerHost(), WorkerConfig.RegistryMode.NONE,
          cfg.registry(), null, null, null, false, wc.region(), URI.create(daemon.baseUrl()), Set.of("127.0.0.1"),
          null, Set.of(), wc.jobTimeLimit(), wc.grace(), wc.resultTtl(), false, wc.imageCacheBytes(),
          wc.pushAttempts(), "bench-worker").withGitCache(tmp.resolve("worker/git-cache"),
          WorkerConfig.DEFAULT_GIT_CACHE_BYTES);
      try (WorkerApp worker = WorkerApp.create(wc)) {
        worker.start();
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", worker.port()).usePlaintext().build();
        try {
          report.note("worker: WorkerApp in this JVM (registry mode none -> " + cfg.registry() + ", git mirror "
              + "cache on), driven by gRPC RunJob; script: the commands below run as child processes, "
              + "each timed; git served by git daemon (GitDaemonServer) on loopback; " + cfg.runs()
              + " runs per case, medians; worker and script runs interleaved");
          report.note("script per run: git clone -q --depth 1 --branch main git://127.0.0.1:<port>/<repo> DIR; "
              + "docker build -q -t " + cfg.registry() + "/<repo>:<v> DIR (DIR/.dockerignore holds .git); "
              + "docker push -q " + cfg.registry() + "/<repo>:<v>; rm -rf DIR");
          report.note("worker steps: clone = CLONING, build = BUILDING, push = LOGGING_IN + PUSHING, total = "
              + "RunJob call wall time (includes its workspace clean-up)");
          warmUp(repos, daemon, ch);
          for (String kase : new String[] {"tiny", cfg.files() + "files", cfg.bigMb() + "mb"}) {
            for (int i = 0; i < cfg.runs(); i++) {
              runCase(repos, daemon, ch, kase, i);
            }
            summarise(kase);
          }
        } finally {
          ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  private void runCase(GitRepos repos, GitDaemonServer daemon, ManagedChannel ch, String kase, int i)
      throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String wRepo = "bench-" + cfg.runId() + "/" + kase + "-w" + i;
    String sRepo = "bench-" + cfg.runId() + "/" + kase + "-s" + i;
    repos.create(wRepo, "main", files(kase, id + "w"));
    repos.create(sRepo, "main", files(kase, id + "s"));
    record("cold", kase, "worker", worker(ch, wRepo, "v1"));
    settle();
    record("cold", kase, "script", script(daemon, sRepo, "v1"));
    repos.commit(wRepo, "main", Map.of("src/main.sh", mainSh(id + "w-2")), "one change");
    repos.commit(sRepo, "main", Map.of("src/main.sh", mainSh(id + "s-2")), "one change");
    settle();
    record("warm", kase, "worker", worker(ch, wRepo, "v2"));
    settle();
    record("warm", kase, "script", script(daemon, sRepo, "v2"));
    settle();
  }

  /**
   * One unmeasured run of each tool on a tiny repository of its own before the measured runs: the worker is a
   * long-running service, and its first job after start pays class loading and JIT warm-up that no later job
   * pays; the script's first run warms the docker CLI and the page cache the same way.
   */
  private void warmUp(GitRepos repos, GitDaemonServer daemon, ManagedChannel ch) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String wRepo = "bench-" + cfg.runId() + "/warmup-w";
    String sRepo = "bench-" + cfg.runId() + "/warmup-s";
    repos.create(wRepo, "main", files("tiny", id + "w"));
    repos.create(sRepo, "main", files("tiny", id + "s"));
    System.out.println("# warm-up (not measured) worker: " + worker(ch, wRepo, "v1"));
    System.out.println("# warm-up (not measured) script: " + script(daemon, sRepo, "v1"));
    report.note("a " + SETTLE_MILLIS + " ms pause between runs: the worker's image pruning after it answered "
        + "never overlaps the script's run");
    report.note("one unmeasured warm-up run of each tool (tiny repository of its own) before the measured runs: "
        + "the worker is a long-running service whose first job after start pays JVM class loading and JIT");
  }

  /**
   * A pause between runs, so that neither tool's run overlaps work the other left running: the worker prunes
   * its image cache on its own thread after it answered (listing the engine's images, up to a second of engine
   * time), which would otherwise slow the script run that follows.
   */
  private static void settle() throws InterruptedException {
    Thread.sleep(SETTLE_MILLIS);
  }

  private void record(String mode, String kase, String tool, Map<String, Double> steps) {
    var byStep = samples.computeIfAbsent(kase, k -> new LinkedHashMap<>())
        .computeIfAbsent(mode, k -> new LinkedHashMap<>())
        .computeIfAbsent(tool, k -> new LinkedHashMap<>());
    steps.forEach((s, v) -> byStep.computeIfAbsent(s, k -> new ArrayList<>()).add(v));
    System.out.println("# run " + mode + " " + kase + " " + tool + ": " + steps);
  }

  private void summarise(String kase) {
    for (String mode : new String[] {"cold", "warm"}) {
      var w = samples.get(kase).get(mode).get("worker");
      var s = samples.get(kase).get(mode).get("script");
      for (String step : STEPS) {
        double wm = Stats.median(w.get(step));
        double sm = Stats.median(s.get(step));
        report.figure(mode + "-" + step + "-" + kase, "worker " + Report.ms(wm) + ", script " + Report.ms(sm));
      }
      double ratio = Stats.median(w.get("total")) / Stats.median(s.get("total"));
      report.figure(mode + "-vs-script-" + kase, Report.ratio(ratio));
      if (mode.equals("cold")) {
        report.figure("cold-goal-le-1.10x-" + kase, ratio <= 1.10 ? "met" : "not met");
      }
    }
  }

  private Map<String, Double> worker(ManagedChannel ch, String repo, String version) {
    String jobId = "bench:" + repo + ":" + version + "/run/1";
    long t0 = System.nanoTime();
    JobResponse r = WorkerGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.MINUTES).runJob(
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
    out.put("build", (double) steps.getOrDefault("BUILDING", 0L));
    out.put("push", (double) (steps.getOrDefault("LOGGING_IN", 0L) + steps.getOrDefault("PUSHING", 0L)));
    out.put("total", total);
    System.out.println("# worker reuse " + repo + ":" + version + ": cached_build_steps="
        + r.getReuse().getCachedBuildSteps() + " mirror_hit=" + r.getReuse().getMirrorHit() + " layers_pushed="
        + r.getReuse().getLayersPushed() + " layers_already_in_registry=" + r.getReuse().getLayersAlreadyInRegistry());
    return out;
  }

  private Map<String, Double> script(GitDaemonServer daemon, String repo, String version) throws Exception {
    Path dir = tmp.resolve("script-" + UUID.randomUUID());
    String image = cfg.registry() + "/" + repo + ":" + version;
    Map<String, Double> out = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    out.put("clone", time("git", "clone", "-q", "--depth", "1", "--branch", "main", daemon.baseUrl() + repo,
        dir.toString()));
    out.put("build", time("docker", "build", "-q", "-t", image, dir.toString()));
    out.put("push", time("docker", "push", "-q", image));
    time("rm", "-rf", dir.toString());
    out.put("total", (System.nanoTime() - t0) / 1e6);
    return out;
  }

  private static double time(String... cmd) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  /** The repository of a case: Dockerfile (manifest first, sources last), .dockerignore, content. */
  private Map<String, Object> files(String kase, String salt) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("Dockerfile", "FROM " + cfg.registry() + "/" + BASE + "\n"
        + "WORKDIR /app\n"
        + "COPY deps.txt ./\n"
        + "RUN [\"/bin/sh\", \"-c\", \"sort deps.txt > deps.lock\"]\n"
        + "COPY src/ ./src/\n"
        + "CMD [\"/bin/sh\", \"/app/src/main.sh\"]\n");
    f.put(".dockerignore", ".git\n");
    f.put("deps.txt", "# dependency manifest\nsalt " + salt + "\nlibfoo 1.2.3\nlibbar 4.5.6\n");
    f.put("src/main.sh", mainSh(salt));
    SplittableRandom rnd = new SplittableRandom(salt.hashCode());
    if (kase.endsWith("files")) {
      for (int i = 0; i < cfg.files() - 4; i++) {
        f.put("src/pkg" + (i / 50) + "/file" + i + ".txt", "file " + i + " " + salt + " " + rnd.nextLong() + "\n"
            + "x".repeat(200 + rnd.nextInt(400)) + "\n");
      }
    } else if (kase.endsWith("mb")) {
      int chunk = 4 << 20;
      long total = (long) cfg.bigMb() << 20;
      for (int i = 0; i * (long) chunk < total; i++) {
        byte[] b = new byte[(int) Math.min(chunk, total - (long) i * chunk)];
        for (int j = 0; j < b.length; j += 8) {
          long v = rnd.nextLong();
          for (int k = 0; k < 8 && j + k < b.length; k++) {
            b[j + k] = (byte) (v >>> (8 * k));
          }
        }
        f.put("src/data/blob" + i + ".bin", b);
      }
    }
    return f;
  }

  private static String mainSh(String salt) {
    return "#!/bin/sh\necho \"bench app " + salt + "\"\n";
  }

  /** The busybox base image (FROM scratch, see examples/base), built and pushed once; cached after. */
  private void ensureBase() throws Exception {
    Path ctx = tmp.resolve("base");
    Files.createDirectories(ctx);
    Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n"
        + "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nENV PATH=/bin\nCMD [\"/bin/sh\"]\n");
    time("docker", "build", "-q", "-t", cfg.registry() + "/" + BASE, ctx.toString());
    time("docker", "push", "-q", cfg.registry() + "/" + BASE);
  }

}
