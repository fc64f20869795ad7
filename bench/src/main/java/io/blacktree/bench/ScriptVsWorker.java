package io.blacktree.bench;

import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Section 1: the real build worker ({@link BenchWorker}) against what a skilled engineer would script by hand
 * ({@link HandScripts}: the docker CLI, and BuildKit's own buildctl through the same buildkitd), on the same
 * engine, registry and git daemon, interleaved run by run (the order rotates each run). Cold = a repository
 * none of them has seen (unique content, so no layer is cached anywhere); warm = the same repository again after
 * a commit that changes one source file. Each tool builds its own repositories.
 */
final class ScriptVsWorker {
  private static final long SETTLE_MILLIS = 2_000;
  private static final String[] STEPS = {"clone", "build", "push", "total"};
  private static final String[] WORKER_STEPS = {"clone", "login", "build", "push", "cleanup", "rest"};
  private static final double COLD_GOAL = 1.10;
  private static final double WARM_GOAL = 0.50;
  private static final double BUILDCTL_GOAL = 1.10;

  private final BenchConfig cfg;
  private final BuildOptions opts;
  private final Report report;
  private final Path tmp;
  private final BenchRepos benchRepos;
  private final HandScripts scripts;
  private final List<String> tools = new ArrayList<>();
  /** case -> mode (cold/warm) -> tool -> step -> samples (ms). */
  private final Map<String, Map<String, Map<String, Map<String, List<Double>>>>> samples = new LinkedHashMap<>();

  ScriptVsWorker(BenchConfig cfg, BuildOptions opts, Report report, Path tmp) {
    this.cfg = cfg;
    this.opts = opts;
    this.report = report;
    this.tmp = tmp;
    this.benchRepos = new BenchRepos(cfg.registry(), cfg.files(), cfg.bigMb());
    this.scripts = new HandScripts(tmp, cfg.registry(), opts);
    tools.add("worker");
    if (opts.script()) {
      tools.add("script");
    }
    if (opts.buildctlScript()) {
      tools.add("buildctl");
    }
  }

  void run() throws Exception {
    report.section("1. Worker vs a skilled engineer's script");
    benchRepos.ensureBase(tmp);
    GitRepos repos = new GitRepos(tmp.resolve("git"));
    try (GitDaemonServer daemon = GitDaemonServer.start(repos.baseDir());
        BenchWorker worker = new BenchWorker(tmp.resolve("worker"), cfg.registry(), URI.create(daemon.baseUrl()),
            opts)) {
      report.note("worker: WorkerApp in this JVM (--builder " + opts.builder() + ", registry mode none -> "
          + cfg.registry() + ", git mirror cache on), driven by gRPC RunJob; scripts: the commands below run as "
          + "child processes, each timed; git served by git daemon (GitDaemonServer) on loopback; " + cfg.runs()
          + " runs per case, medians; the tools' runs interleaved, their order rotated each run");
      if (opts.script()) {
        report.note("script (docker CLI) per run: " + scripts.dockerDescription());
      }
      if (opts.buildctlScript()) {
        report.note("buildctl script per run (pushes in the same solve, so its push is 0): "
            + scripts.buildctlDescription());
      }
      report.note("worker steps: clone = CLONING, build = BUILDING (with BuildKit: build and push by digest), "
          + "push = LOGGING_IN + PUSHING (with BuildKit: the tags set in the registry), total = RunJob call wall "
          + "time (includes provenance and its workspace clean-up)");
      warmUp(repos, daemon, worker);
      for (String kase : benchRepos.cases(opts.cases())) {
        for (int i = 0; i < cfg.runs(); i++) {
          runCase(repos, daemon, worker, kase, i);
        }
        summarise(kase);
      }
      if (opts.floor() && opts.cases().contains("files")) {
        new PhysicalFloor(cfg.registry(), report, tmp).run(repos, daemon, worker, benchRepos,
            "bench-" + cfg.runId() + "/floor", cfg.files() + "files");
      }
    }
  }

  private void runCase(GitRepos repos, GitDaemonServer daemon, BenchWorker worker, String kase, int i)
      throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    List<String> order = rotated(i);
    Map<String, String> repoOf = new LinkedHashMap<>();
    for (String tool : order) {
      String repo = "bench-" + cfg.runId() + "/" + kase + "-" + tool + i;
      repoOf.put(tool, repo);
      repos.create(repo, "main", benchRepos.files(kase, id + tool));
    }
    for (String tool : order) {
      record("cold", kase, tool, runTool(tool, daemon, worker, repoOf.get(tool), "v1"));
      settle();
    }
    for (String tool : order) {
      repos.commit(repoOf.get(tool), "main", BenchRepos.change(id + tool + "-2"), "one change");
    }
    for (String tool : order) {
      record("warm", kase, tool, runTool(tool, daemon, worker, repoOf.get(tool), "v2"));
      settle();
    }
  }

  private List<String> rotated(int i) {
    List<String> order = new ArrayList<>();
    for (int k = 0; k < tools.size(); k++) {
      order.add(tools.get((i + k) % tools.size()));
    }
    return order;
  }

  private Map<String, Double> runTool(String tool, GitDaemonServer daemon, BenchWorker worker, String repo,
      String version) throws Exception {
    return switch (tool) {
      case "worker" -> worker.run(repo, version).steps();
      case "script" -> scripts.docker(daemon.baseUrl() + repo, repo, version);
      default -> scripts.buildctl(daemon.baseUrl() + repo, repo, version);
    };
  }

  /**
   * One unmeasured run of each tool on a tiny repository of its own before the measured runs: the worker is a
   * long-running service, and its first job after start pays class loading and JIT warm-up that no later job
   * pays; the scripts' first runs warm their clients, buildkitd and the page cache the same way.
   */
  private void warmUp(GitRepos repos, GitDaemonServer daemon, BenchWorker worker) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    for (String tool : tools) {
      String repo = "bench-" + cfg.runId() + "/warmup-" + tool;
      repos.create(repo, "main", benchRepos.files("tiny", id + tool));
      System.out.println("# warm-up (not measured) " + tool + ": " + runTool(tool, daemon, worker, repo, "v1"));
    }
    report.note("a " + SETTLE_MILLIS + " ms pause between runs: work a tool leaves running after it answered "
        + "(the engine builder's image pruning) never overlaps the next tool's run");
    report.note("one unmeasured warm-up run of each tool (tiny repository of its own) before the measured runs: "
        + "the worker is a long-running service whose first job after start pays JVM class loading and JIT");
  }

  /** A pause between runs, so that no tool's run overlaps work the previous one left running. */
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
      var byTool = samples.get(kase).get(mode);
      for (String step : STEPS) {
        List<String> parts = new ArrayList<>();
        for (String tool : tools) {
          parts.add(tool + " " + Report.ms(Stats.median(byTool.get(tool).get(step))));
        }
        report.figure(mode + "-" + step + "-" + kase, String.join(", ", parts));
      }
      List<String> workerSteps = new ArrayList<>();
      for (String step : WORKER_STEPS) {
        workerSteps.add(step + " " + Report.ms(Stats.median(byTool.get("worker").get(step))));
      }
      report.figure(mode + "-worker-steps-" + kase, String.join(", ", workerSteps));
      double workerTotal = Stats.median(byTool.get("worker").get("total"));
      if (opts.script()) {
        double ratio = workerTotal / Stats.median(byTool.get("script").get("total"));
        report.figure(mode + "-vs-script-" + kase, Report.ratio(ratio));
        double goal = mode.equals("cold") ? COLD_GOAL : WARM_GOAL;
        report.figure(mode + "-vs-script-goal-le-" + Report.ratio(goal) + "-" + kase, ratio <= goal ? "met" : "not met");
      }
      if (opts.buildctlScript()) {
        double ratio = workerTotal / Stats.median(byTool.get("buildctl").get("total"));
        report.figure(mode + "-vs-buildctl-" + kase, Report.ratio(ratio));
        report.figure(mode + "-vs-buildctl-goal-le-" + Report.ratio(BUILDCTL_GOAL) + "-" + kase,
            ratio <= BUILDCTL_GOAL ? "met" : "not met");
      }
    }
  }
}
