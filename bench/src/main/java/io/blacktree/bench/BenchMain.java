package io.blacktree.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The benchmark harness ({@code scripts/bench}); never run by {@code mvn verify}. Runs the sections asked
 * for (see {@link BenchConfig}), prints every figure as a labelled line {@code name: value}, and writes
 * BENCHMARKS.md (every figure, the command, the machine's load) with its PNG plots under {@code bench/plots/}.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    BenchConfig cfg = BenchConfig.parse(args);
    Report report = new Report();
    Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
    Path plotDir = root.resolve("bench/plots");
    Files.createDirectories(plotDir);
    Path tmp = Files.createTempDirectory("blacktree-bench-");
    Path logDir = tmp.resolve("logs");
    Files.createDirectories(logDir);
    Plots plots = new Plots(plotDir);
    Instant started = Instant.now();
    String loadBefore = loadAverage();
    report.section("setup");
    report.figure("run-id", cfg.runId());
    report.figure("started", started.toString());
    report.figure("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
    report.figure("load-average-before", loadBefore);
    BuildOptions build = BuildOptions.parse(args);
    Conditions.report(report, build);
    report.note("temp dir (repos, workspaces, child logs): " + tmp);
    List<String> failures = new ArrayList<>();
    if (cfg.sections().contains("script")) {
      try {
        new ScriptVsWorker(cfg, build, report, tmp).run();
      } catch (Exception | Error e) {
        failures.add("worker vs script: " + e);
        e.printStackTrace();
      }
    }
    if (cfg.sections().contains("fleet")) {
      try {
        new FleetWarm(cfg, build, report, tmp).run();
      } catch (Exception | Error e) {
        failures.add("fleet: " + e);
        e.printStackTrace();
      }
    }
    if (cfg.sections().contains("overhead") || cfg.sections().contains("intake")
        || cfg.sections().contains("pool")) {
      Set<String> dev = new HashSet<>(cfg.sections());
      if (dev.contains("overhead")) {
        dev.add("cancel");
      }
      try {
        new OrchestrationBench(cfg, report, plots, logDir,
            new OrchestrationBench.Target(cfg.temporal(), "", "", dev)).run();
      } catch (Exception | Error e) {
        failures.add("orchestration: " + e);
        e.printStackTrace();
      }
      // the same intake and overhead against the production shape (scripts/services start cluster)
      Set<String> cluster = new HashSet<>(cfg.sections());
      cluster.retainAll(Set.of("overhead", "intake"));
      if (!cfg.clusterTemporal().isEmpty() && !cluster.isEmpty()) {
        try {
          new OrchestrationBench(cfg, report, plots, logDir, new OrchestrationBench.Target(cfg.clusterTemporal(),
              "cluster-", ", cluster (Temporal on PostgreSQL, " + cfg.clusterTemporal() + ")", cluster)).run();
        } catch (Exception | Error e) {
          failures.add("orchestration on the cluster " + cfg.clusterTemporal() + ": " + e);
          e.printStackTrace();
        }
      }
    }
    report.section("end");
    report.figure("load-average-after", loadAverage());
    report.figure("wall-seconds", Long.toString(java.time.Duration.between(started, Instant.now()).toSeconds()));
    for (String f : failures) {
      report.figure("section-failed", f);
    }
    new Markdown(cfg, report, plots).write(root.resolve(cfg.out()));
    report.writeLines(root.resolve("bench/last-run.txt"));
    System.out.println("# wrote " + root.resolve(cfg.out()) + " and bench/last-run.txt");
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  static String loadAverage() {
    try {
      String[] p = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return p[0] + " " + p[1] + " " + p[2] + " (1/5/15 min)";
    } catch (IOException e) {
      return "n/a";
    }
  }
}
