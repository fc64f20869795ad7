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

  private final BuildSetup setup;
  private final Report report;
  private final List<String> tools = new ArrayList<>();
  /** case -> mode (cold/warm) -> tool -> step -> samples (ms). */
  private final Map<String, Map<String, Map<String, Map<String, List<Double>>>>> samples = new LinkedHashMap<>();

  ScriptVsWorker(BuildSetup setup) {
    this.setup = setup;
    this.report = setup.report();
    tools.add("worker");
    if (setup.opts().script()) {
      tools.add("script");
    }
    if (setup.opts().buildctlScript()) {
      tools.add("buildctl");
    }
  }

  void run() throws Exception {
    report.section("1. Worker vs a skilled engineer's script");
    setup.repos().ensureBase(setup.tmp());
    GitRepos repos = new GitRepos(setup.tmp().resolve("git"));
    try (GitDaemonServer daemon = GitDaemonServer.start(repos.baseDir());
        BenchWorker worker = new BenchWorker(setup.tmp().resolve("worker"), setup.cfg().registry(),
            URI.create(daemon.baseUrl()), setup.opts())) {
      report.note("worker: WorkerApp in this JVM (--builder " + setup.opts().builder() + ", registry mode none -> "
          + setup.cfg().registry() + ", git mirror cache on), driven by gRPC RunJob; scripts: the commands below run "
          + "as child processes, each timed; git served by git daemon (GitDaemonServer) on loopback; "
          + setup.cfg().runs() + " runs per case, medians; the tools' runs interleaved, their order rotated each run");
      if (setup.opts().script()) {
        report.note("script (docker CLI) per run: " + setup.scripts().dockerDescription());
      }
      if (setup.opts().buildctlScript()) {
        report.note("buildctl script per run (pushes in the same solve, so its push is 0): "
            + setup.scripts().buildctlDescription());
      }
      report.note("worker steps: clone = CLONING, build = BUILDING (with BuildKit: build and push by digest), "
          + "push = LOGGING_IN + PUSHING (with BuildKit: the tags set in the registry), total = RunJob call wall "
          + "time (includes provenance; the worker removes the job's workspace after it answered)");
      warmUp(repos, daemon, worker);
      for (String kase : setup.repos().cases(setup.opts().cases())) {
        for (int i = 0; i < setup.cfg().runs(); i++) {
          runCase(repos, daemon, worker, kase, i);
        }
        summarise(kase);
      }
      if (setup.opts().floor() && setup.opts().cases().contains("files")) {
        new PhysicalFloor(setup.cfg().registry(), report, setup.tmp()).run(repos, daemon, worker, setup.repos(),
            "bench-" + setup.cfg().runId() + "/floor", setup.cfg().files() + "files");
      }
    }
  }

  private void runCase(GitRepos repos, GitDaemonServer daemon, BenchWorker worker, String kase, int i)
      throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    List<String> order = rotated(i);
    Map<String, String> repoOf = new LinkedHashMap<>();
    for (String tool : order) {
      String repo = "bench-" + setup.cfg().runId() + "/" + kase + "-" + tool + i;
      repoOf.put(tool, repo);
      repos.create(repo, "main", setup.repos().files(kase, id + tool));
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
      case "script" -> setup.scripts().docker(daemon.baseUrl() + repo, repo, version);
      default -> setup.scripts().buildctl(daemon.baseUrl() + repo, repo, version);
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
      String repo = "bench-" + setup.cfg().runId() + "/warmup-" + tool;
      repos.create(repo, "main", setup.repos().files("tiny", id + tool));
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
      if (setup.opts().script()) {
        double ratio = workerTotal / Stats.median(byTool.get("script").get("total"));
        report.figure(mode + "-vs-script-" + kase, Report.ratio(ratio));
        double goal = mode.equals("cold") ? COLD_GOAL : WARM_GOAL;
        report.figure(mode + "-vs-script-goal-le-" + Report.ratio(goal) + "-" + kase, ratio <= goal ? "met" : "not met");
      }
      if (setup.opts().buildctlScript()) {
        double ratio = workerTotal / Stats.median(byTool.get("buildctl").get("total"));
        report.figure(mode + "-vs-buildctl-" + kase, Report.ratio(ratio));
        report.figure(mode + "-vs-buildctl-goal-le-" + Report.ratio(BUILDCTL_GOAL) + "-" + kase,
            ratio <= BUILDCTL_GOAL ? "met" : "not met");
      }
    }
  }
}
