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
    BuildSetup buildSetup = BuildSetup.of(cfg, build, report, tmp);
    if (cfg.sections().contains("script")) {
      run("worker vs script", failures, () -> new ScriptVsWorker(buildSetup).run());
    }
    if (cfg.sections().contains("fleet")) {
      run("fleet", failures, () -> new FleetWarm(buildSetup).run());
    }
    if (cfg.sections().contains("affinity")) {
      run("affinity", failures, () -> new AffinityBench(buildSetup, AffinityOptions.parse(args), logDir).run());
    }
    if (cfg.sections().contains("overhead") || cfg.sections().contains("intake")
        || cfg.sections().contains("pool")) {
      Set<String> dev = new HashSet<>(cfg.sections());
      if (dev.contains("overhead")) {
        dev.add("cancel");
      }
      run("orchestration", failures, () -> new OrchestrationBench(cfg, report, plots, logDir,
          new OrchestrationBench.Target(cfg.temporal(), "", "", dev)).run());
      // the same intake and overhead against the production shape (scripts/services start cluster)
      Set<String> cluster = new HashSet<>(cfg.sections());
      cluster.retainAll(Set.of("overhead", "intake"));
      if (!cfg.clusterTemporal().isEmpty() && !cluster.isEmpty()) {
        run("orchestration on the cluster " + cfg.clusterTemporal(), failures, () -> new OrchestrationBench(cfg,
            report, plots, logDir, new OrchestrationBench.Target(cfg.clusterTemporal(), "cluster-",
            ", cluster (Temporal on PostgreSQL, " + cfg.clusterTemporal() + ")", cluster)).run());
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

  /** A section's work. */
  private interface Section {
    void run() throws Exception;
  }

  /** Runs one section; a failure is recorded (and printed) and the next section still runs. */
  private static void run(String name, List<String> failures, Section section) {
    try {
      section.run();
    } catch (Exception | Error e) {
      failures.add(name + ": " + e);
      e.printStackTrace();
    }
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
