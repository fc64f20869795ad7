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
  private final BuildSetup setup;
  private final Report report;
  private int hosts;
  /** case -> tool -> step -> samples (ms). */
  private final Map<String, Map<String, Map<String, List<Double>>>> samples = new LinkedHashMap<>();

  FleetWarm(BuildSetup setup) {
    this.setup = setup;
    this.report = setup.report();
  }

  void run() throws Exception {
    report.section("1b. Fleet: the next version on a build host that never built it");
    setup.repos().ensureBase(setup.tmp().resolve("fleet"));
    GitRepos repos = new GitRepos(setup.tmp().resolve("fleet-git"));
    try (GitDaemonServer daemon = GitDaemonServer.start(repos.baseDir());
        BenchWorker first = new BenchWorker(setup.tmp().resolve("fleet-a"), setup.cfg().registry(),
            URI.create(daemon.baseUrl()), setup.opts(), setup.opts().buildkitAddr(), true);
        BenchWorker firstNoCache = new BenchWorker(setup.tmp().resolve("fleet-a-off"), setup.cfg().registry(),
            URI.create(daemon.baseUrl()), setup.opts(), setup.opts().buildkitAddr(), false)) {
      report.note("v1 on the first host (the shared buildkitd " + setup.opts().buildkitAddr() + ", a worker in this "
          + "JVM); "
          + "one file changed; v2 on a second host started for that job alone: a private buildkitd (own state "
          + "directory, empty local cache) and a new worker (empty git mirror cache); " + setup.cfg().runs()
          + " runs per case, medians, the tools' order rotated each run");
      report.note("worker: --registry-cache on (default): cache exported to <repo>:buildcache-main and imported; "
          + "worker-no-registry-cache: --registry-cache off on both hosts; buildctl: the section 1 buildctl script "
          + "(its registry cache flags = the worker's) on both hosts");
      if (setup.opts().cases().contains(BenchRepos.INSTALL)) {
        report.note("case install: the tiny repository whose dependency step is `" + setup.repos().installDescription()
            + "`: busybox only, no package manager; it stands for a dependency install or compile, the expensive "
            + "RUN of real repositories that the registry cache saves a host that never built the repository (the "
            + "other cases' RUN is a cheap sort)");
      }
      for (String kase : setup.repos().fleetCases(setup.opts().cases())) {
        for (int i = 0; i < setup.cfg().runs(); i++) {
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
      String repo = "bench-" + setup.cfg().runId() + "/fleet-" + kase + "-" + tool + i;
      repos.create(repo, "main", setup.repos().files(kase, id + tool));
      switch (tool) {
        case "worker" -> first.run(repo, "v1");
        case "worker-no-registry-cache" -> firstNoCache.run(repo, "v1");
        default -> setup.scripts().buildctl(daemon.baseUrl() + repo, repo, "v1");
      }
      repos.commit(repo, "main", BenchRepos.change(id + tool + "-2"), "one change");
      // a short name: buildkitd's socket path must stay under 104 bytes
      Path host = setup.tmp().resolve("h" + hosts++);
      try (PrivateBuildKit kit = PrivateBuildKit.start(host.resolve("buildkit"))) {
        Map<String, Double> steps;
        if (tool.equals("buildctl")) {
          steps = setup.scripts().buildctl(daemon.baseUrl() + repo, repo, "v2", kit.address());
        } else {
          try (BenchWorker second = new BenchWorker(host.resolve("worker"), setup.cfg().registry(),
              URI.create(daemon.baseUrl()), setup.opts(), kit.address(), tool.equals("worker"))) {
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
