package io.blacktree.bench;

import io.blacktree.testsupport.PrivateBuildKit;
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
 * Section 1b: a fleet's next version on a build host that never built the repository. A first host (the shared
 * buildkitd, a worker with its git mirror cache) builds v1; after a one-file commit, v2 goes to a second host
 * started for that one job: a private buildkitd with an empty local cache ({@link PrivateBuildKit}) and a worker
 * with an empty git mirror cache. Three tools, each on its own repositories: the worker with the registry cache
 * (its default), the same worker with {@code --registry-cache off} on both hosts, and the buildctl script with
 * the worker's registry cache flags.
 */
final class FleetWarm {
  private static final String[] TOOLS = {"worker", "worker-no-registry-cache", "buildctl"};
  private static final double BUILDCTL_GOAL = 1.10;
  private static final double SPEEDUP_GOAL = 2.0;
  private final BenchConfig cfg;
  private final BuildOptions opts;
  private final Report report;
  private final Path tmp;
  private final BenchRepos benchRepos;
  private final HandScripts scripts;
  private int hosts;
  /** case -> tool -> step -> samples (ms). */
  private final Map<String, Map<String, Map<String, List<Double>>>> samples = new LinkedHashMap<>();

  FleetWarm(BenchConfig cfg, BuildOptions opts, Report report, Path tmp) {
    this.cfg = cfg;
    this.opts = opts;
    this.report = report;
    this.tmp = tmp;
    this.benchRepos = new BenchRepos(cfg.registry(), cfg.files(), cfg.bigMb());
    this.scripts = new HandScripts(tmp, cfg.registry(), opts);
  }

  void run() throws Exception {
    report.section("1b. Fleet: the next version on a build host that never built it");
    benchRepos.ensureBase(tmp.resolve("fleet"));
    GitRepos repos = new GitRepos(tmp.resolve("fleet-git"));
    try (GitDaemonServer daemon = GitDaemonServer.start(repos.baseDir());
        BenchWorker first = new BenchWorker(tmp.resolve("fleet-a"), cfg.registry(), URI.create(daemon.baseUrl()),
            opts, opts.buildkitAddr(), true);
        BenchWorker firstNoCache = new BenchWorker(tmp.resolve("fleet-a-off"), cfg.registry(),
            URI.create(daemon.baseUrl()), opts, opts.buildkitAddr(), false)) {
      report.note("v1 on the first host (the shared buildkitd " + opts.buildkitAddr() + ", a worker in this JVM); "
          + "one file changed; v2 on a second host started for that job alone: a private buildkitd (own state "
          + "directory, empty local cache) and a new worker (empty git mirror cache); " + cfg.runs()
          + " runs per case, medians, the tools' order rotated each run");
      report.note("worker: --registry-cache on (default): cache exported to <repo>:buildcache-main and imported; "
          + "worker-no-registry-cache: --registry-cache off on both hosts; buildctl: the section 1 buildctl script "
          + "(its registry cache flags = the worker's) on both hosts");
      for (String kase : benchRepos.cases(opts.cases())) {
        for (int i = 0; i < cfg.runs(); i++) {
          runCase(repos, daemon, first, firstNoCache, kase, i);
        }
        summarise(kase);
      }
    }
  }

  private void runCase(GitRepos repos, GitDaemonServer daemon, BenchWorker first, BenchWorker firstNoCache,
      String kase, int i) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    for (int k = 0; k < TOOLS.length; k++) {
      String tool = TOOLS[(i + k) % TOOLS.length];
      String repo = "bench-" + cfg.runId() + "/fleet-" + kase + "-" + tool + i;
      repos.create(repo, "main", benchRepos.files(kase, id + tool));
      switch (tool) {
        case "worker" -> first.run(repo, "v1");
        case "worker-no-registry-cache" -> firstNoCache.run(repo, "v1");
        default -> scripts.buildctl(daemon.baseUrl() + repo, repo, "v1");
      }
      repos.commit(repo, "main", BenchRepos.change(id + tool + "-2"), "one change");
      // a short name: buildkitd's socket path must stay under 104 bytes
      Path host = tmp.resolve("h" + hosts++);
      try (PrivateBuildKit kit = PrivateBuildKit.start(host.resolve("buildkit"))) {
        Map<String, Double> steps;
        if (tool.equals("buildctl")) {
          steps = scripts.buildctl(daemon.baseUrl() + repo, repo, "v2", kit.address());
        } else {
          try (BenchWorker second = new BenchWorker(host.resolve("worker"), cfg.registry(),
              URI.create(daemon.baseUrl()), opts, kit.address(), tool.equals("worker"))) {
            steps = second.run(repo, "v2").steps();
          }
        }
        record(kase, tool, steps);
      }
      Thread.sleep(2_000);
    }
  }

  private void record(String kase, String tool, Map<String, Double> steps) {
    var byStep = samples.computeIfAbsent(kase, k -> new LinkedHashMap<>())
        .computeIfAbsent(tool, k -> new LinkedHashMap<>());
    steps.forEach((s, v) -> byStep.computeIfAbsent(s, k -> new ArrayList<>()).add(v));
    System.out.println("# run fleet-warm " + kase + " " + tool + ": " + steps);
  }

  private void summarise(String kase) {
    var byTool = samples.get(kase);
    for (String step : new String[] {"clone", "build", "push", "total"}) {
      List<String> parts = new ArrayList<>();
      for (String tool : TOOLS) {
        parts.add(tool + " " + Report.ms(Stats.median(byTool.get(tool).get(step))));
      }
      report.figure("fleet-warm-" + step + "-" + kase, String.join(", ", parts));
    }
    for (String tool : new String[] {"worker", "worker-no-registry-cache"}) {
      List<String> parts = new ArrayList<>();
      for (String step : new String[] {"clone", "login", "build", "push", "cleanup", "rest"}) {
        parts.add(step + " " + Report.ms(Stats.median(byTool.get(tool).get(step))));
      }
      report.figure("fleet-warm-steps-" + tool + "-" + kase, String.join(", ", parts));
    }
    double worker = Stats.median(byTool.get("worker").get("total"));
    double vsBuildctl = worker / Stats.median(byTool.get("buildctl").get("total"));
    report.figure("fleet-warm-vs-buildctl-" + kase, Report.ratio(vsBuildctl));
    report.figure("fleet-warm-vs-buildctl-goal-le-" + Report.ratio(BUILDCTL_GOAL) + "-" + kase,
        vsBuildctl <= BUILDCTL_GOAL ? "met" : "not met");
    double speedup = Stats.median(byTool.get("worker-no-registry-cache").get("total")) / worker;
    report.figure("fleet-warm-speedup-vs-no-registry-cache-" + kase, Report.ratio(speedup) + " faster");
    report.figure("fleet-warm-speedup-goal-ge-" + Report.ratio(SPEEDUP_GOAL) + "-" + kase,
        speedup >= SPEEDUP_GOAL ? "met" : "not met");
  }
}
