package io.blacktree.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Sections 2-4: orchestration overhead, cancel latency, intake and pool utilisation, all through the real
 * bridge, Temporal server and orchestrator, with {@link StandInWorker} stand-ins as build workers. One pass
 * runs against one Temporal ({@link Target}): the dev server, or the cluster profile's frontend (Temporal on
 * PostgreSQL), whose figures carry the label prefix {@code cluster-}.
 */
final class OrchestrationBench {
  /**
   * The Temporal a pass runs against.
   *
   * @param address     the frontend, {@code host:port}
   * @param labelPrefix put before every figure's label ("" or {@code cluster-})
   * @param title       put after every section's title ("" or ", cluster: ...")
   * @param sections    the sections this pass runs
   */
  record Target(String address, String labelPrefix, String title, Set<String> sections) {}

  private final BenchConfig cfg;
  private final Report report;
  private final Plots plots;
  private final Path logDir;
  private final Target target;

  OrchestrationBench(BenchConfig cfg, Report report, Plots plots, Path logDir, Target target) {
    this.cfg = cfg;
    this.report = report;
    this.plots = plots;
    this.logDir = logDir;
    this.target = target;
  }

  private void figure(String name, String value) {
    report.figure(target.labelPrefix() + name, value);
  }

  private void section(String title) {
    report.section(title + target.title());
  }

  void run() throws Exception {
    List<StandInWorker> workers = new ArrayList<>();
    for (int i = 0; i < cfg.poolWorkers(); i++) {
      workers.add(new StandInWorker("standin-" + i, cfg.overheadDelayMillis()));
    }
    List<String> addresses = workers.stream().map(StandInWorker::address).toList();
    // the cluster pass's own run id: its own queues, task queues and workflow IDs
    String runId = cfg.runId() + (target.labelPrefix().isEmpty() ? "" : "-" + target.labelPrefix().replace("-", ""));
    Path passLogs = Files.createDirectories(logDir.resolve(runId));
    try (Pipeline p = new Pipeline(runId, target.address(),
        List.of(new Pipeline.Host(null, addresses, null)), passLogs, cfg.bridgePrefetch())) {
      warmUp(p);
      if (target.sections().contains("overhead")) {
        overhead(p, workers);
      }
      if (target.sections().contains("cancel")) {
        cancelLatency(p, workers);
      }
      if (target.sections().contains("intake")) {
        intake(p, workers);
      }
      if (target.sections().contains("pool")) {
        pool(p, workers, false);
        pool(p, workers, true);
      }
    } finally {
      for (StandInWorker w : workers) {
        w.close();
      }
    }
  }

  /** A few jobs first so class loading and connection set-up are not in the figures. */
  private void warmUp(Pipeline p) throws Exception {
    List<String> ids = p.publishBatch("warmup-", 8, 10);
    if (p.awaitResults(ids, 120_000) > 0) {
      throw new IllegalStateException("warm-up jobs did not finish within 120 s: is the pipeline working? see "
          + logDir);
    }
  }

  private void overhead(Pipeline p, List<StandInWorker> workersOf) throws Exception {
    section("2. Orchestration overhead");
    int jobs = cfg.overheadJobs();
    int concurrency = Math.min(cfg.overheadConcurrency(), cfg.poolWorkers());
    report.note("publish -> result message on jobs.results, minus the worker's own job time (sum of the "
        + "result's step_millis), " + jobs + " jobs, " + concurrency + " in flight at a time (closed loop, fewer "
        + "than the " + cfg.poolWorkers() + " workers, so no job waits for a free worker); stand-in workers "
        + "(bench StandInWorker: Worker gRPC contract, no build) answer after " + cfg.overheadDelayMillis()
        + " ms; bridge + orchestrator as child JVMs, Temporal " + target.address());
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    List<Future<Double>> futures = new ArrayList<>();
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    List<Double> overheads = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Double> e2e = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int c = 0; c < concurrency; c++) {
      futures.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < jobs; i = next.getAndIncrement()) {
          String id = p.publish("ovh-" + i, cfg.overheadDelayMillis());
          if (p.awaitResults(List.of(id), 120_000) > 0) {
            throw new IllegalStateException("no result for " + id + " within 120 s");
          }
          Pipeline.Result r = p.result(id);
          double total = r.receivedMillis() - p.publishedAt(id);
          e2e.add(total);
          overheads.add(total - r.stepMillisTotal());
        }
        return 0.0;
      }));
    }
    for (Future<Double> f : futures) {
      f.get(30, TimeUnit.MINUTES);
    }
    pool.shutdown();
    List<Double> toStart = new ArrayList<>();
    List<Double> fromEnd = new ArrayList<>();
    OverheadBreakdown parts = new OverheadBreakdown();
    for (StandInWorker w : workersOf) {
      for (StandInWorker.Run r : w.runs()) {
        if (r.workflowId().contains(":ovh-") && p.result(r.workflowId()) != null) {
          toStart.add((double) (r.startMillis() - p.publishedAt(r.workflowId())));
          fromEnd.add((double) (p.result(r.workflowId()).receivedMillis() - r.endMillis()));
          parts.add(p.client(), r.workflowId(), p.publishedAt(r.workflowId()), r.startMillis(), r.endMillis(),
              p.result(r.workflowId()).receivedMillis());
        }
      }
    }
    figure("overhead-jobs", Integer.toString(overheads.size()));
    figure("overhead-p50", Report.ms(Stats.percentile(overheads, 50)));
    figure("overhead-p95", Report.ms(Stats.percentile(overheads, 95)));
    figure("overhead-p99", Report.ms(Stats.percentile(overheads, 99)));
    figure("overhead-max", Report.ms(Stats.max(overheads)));
    figure("publish-to-result-p50", Report.ms(Stats.percentile(e2e, 50)));
    figure("publish-to-worker-start-p50", Report.ms(Stats.percentile(toStart, 50))
        + " (p99 " + Report.ms(Stats.percentile(toStart, 99)) + ")");
    figure("worker-end-to-result-p50", Report.ms(Stats.percentile(fromEnd, 50))
        + " (p99 " + Report.ms(Stats.percentile(fromEnd, 99)) + ")");
    parts.report(report, target.labelPrefix());
    figure("overhead-goal-p50-le-100ms", Stats.percentile(overheads, 50) <= 100 ? "met" : "not met");
    figure("overhead-goal-p99-le-300ms", Stats.percentile(overheads, 99) <= 300 ? "met" : "not met");
    plots.histogram(target.labelPrefix() + "overhead-latency.png", "Orchestration overhead per job (ms), " + overheads.size()
        + " jobs, stand-in workers", overheads);
  }

  private void cancelLatency(Pipeline p, List<StandInWorker> workers) throws Exception {
    section("4b. Cancel latency");
    report.note("a stand-in job of 10 min is started; once a stand-in runs it, the workflow is cancelled with "
        + "the Temporal client; latency = cancel call -> the stand-in is FREE again (its job ended), "
        + cfg.cancelRuns() + " runs");
    List<Double> lat = new ArrayList<>();
    for (int i = 0; i < cfg.cancelRuns(); i++) {
      String id = p.publish("cancel-" + i, 600_000);
      StandInWorker w = awaitBusy(workers, id, 60_000);
      long t0 = System.currentTimeMillis();
      p.cancel(id);
      long free = awaitRunEnd(w, id, 60_000);
      lat.add((double) (free - t0));
      p.awaitResults(List.of(id), 60_000);
    }
    figure("cancel-to-free-median", Report.ms(Stats.median(lat)));
    figure("cancel-to-free-max", Report.ms(Stats.max(lat)));
  }

  private static StandInWorker awaitBusy(List<StandInWorker> workers, String id, long timeout)
      throws InterruptedException {
    long until = System.currentTimeMillis() + timeout;
    while (System.currentTimeMillis() < until) {
      for (StandInWorker w : workers) {
        if (w.busyWith(id)) {
          return w;
        }
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException(id + " never reached a worker");
  }

  private static long awaitRunEnd(StandInWorker w, String id, long timeout) throws InterruptedException {
    long until = System.currentTimeMillis() + timeout;
    while (System.currentTimeMillis() < until) {
      for (StandInWorker.Run r : w.runs()) {
        if (r.workflowId().equals(id)) {
          return r.endMillis();
        }
      }
      Thread.sleep(2);
    }
    throw new IllegalStateException(id + " was not stopped within " + timeout + " ms");
  }

  private void intake(Pipeline p, List<StandInWorker> workers) throws Exception {
    section("3. Intake");
    int n = cfg.intakeMessages();
    report.note(n + " requests published at once to the build queue (persistent, publisher confirms), then "
        + "consumed by one bridge (prefetch " + cfg.bridgePrefetch()
        + ", so up to that many starts at once) starting DeployJob workflows; " + cfg.poolWorkers()
        + " stand-in workers answer after " + cfg.intakeDelayMillis() + " ms each"
        + (n < 10_000 ? "; REDUCED SIZE: the issue asks for 10,000 (run with --intake=10000)" : ""));
    long t0 = System.currentTimeMillis();
    List<String> ids = p.publishBatch("intake-", n, cfg.intakeDelayMillis());
    long published = System.currentTimeMillis();
    int missing = p.awaitResults(ids, cfg.intakeTimeoutMillis());
    long done = System.currentTimeMillis();
    long lastResult = 0;
    for (String id : ids) {
      Pipeline.Result r = p.result(id);
      if (r != null) {
        lastResult = Math.max(lastResult, r.receivedMillis());
      }
    }
    // bridge starts: the first sample at or above the count of workflows it started before this section
    List<ChildProcess.StartSample> samples = p.bridge().starts();
    // A start whose answer timed out and was made again shows as a duplicate: the workflow was started all the
    // same (no request is sent twice here), so started + duplicate starts count the requests taken.
    long base = 0;
    long dupBase = 0;
    for (ChildProcess.StartSample s : samples) {
      if (s.atMillis() <= t0) {
        base = s.started();
        dupBase = s.duplicates();
      }
    }
    long allStartedAt = -1;
    long startedCount = 0;
    long dupCount = 0;
    for (ChildProcess.StartSample s : samples) {
      startedCount = s.started() - base;
      dupCount = s.duplicates() - dupBase;
      if (startedCount + dupCount >= n - missing && allStartedAt < 0 && s.atMillis() >= t0) {
        allStartedAt = s.atMillis();
      }
    }
    Map<String, Integer> runsPerJob = new HashMap<>();
    for (StandInWorker w : workers) {
      for (StandInWorker.Run r : w.runs()) {
        if (r.workflowId().contains(":intake-")) {
          runsPerJob.merge(r.workflowId(), 1, Integer::sum);
        }
      }
    }
    long dupRuns = runsPerJob.values().stream().filter(c -> c > 1).count();
    long resultMsgs = p.resultMessagesFor(ids);
    figure("intake-messages", Integer.toString(n));
    figure("intake-publish-seconds", Report.num((published - t0) / 1000.0, 1));
    double startSecs = (allStartedAt - t0) / 1000.0;
    figure("intake-starts-per-second", allStartedAt < 0 ? "n/a" : Report.num(n / startSecs, 1)
        + " (all " + n + " started in " + Report.num(startSecs, 1) + " s, sampled every 0.5 s)");
    double doneSecs = (lastResult - t0) / 1000.0;
    figure("intake-completions-per-second", Report.num((n - missing) / doneSecs, 1) + " (last result after "
        + Report.num(doneSecs, 1) + " s; ceiling with " + cfg.poolWorkers() + " stand-ins of "
        + cfg.intakeDelayMillis() + " ms: " + Report.num(cfg.poolWorkers() * 1000.0 / cfg.intakeDelayMillis(), 0)
        + "/s)");
    figure("intake-lost", Integer.toString(missing)
        + (missing > 0 ? " (no result within " + cfg.intakeTimeoutMillis() / 1000 + " s)" : ""));
    figure("intake-duplicated-results", Long.toString(resultMsgs - (n - missing)));
    figure("intake-duplicated-worker-runs", Long.toString(dupRuns));
    figure("intake-bridge-duplicate-starts", Long.toString(dupCount));
    figure("bridge-heap-used-max", mb(p.bridge().maxHeapUsed()));
    figure("bridge-heap-committed-max", mb(p.bridge().maxHeapCommitted()));
    figure("bridge-rss-max", mb(p.bridge().maxRss()));
    figure("orchestrator-heap-used-max", mb(p.orchestrator().maxHeapUsed()));
    figure("orchestrator-heap-committed-max", mb(p.orchestrator().maxHeapCommitted()));
    figure("orchestrator-rss-max", mb(p.orchestrator().maxRss()));
    figure("intake-goal-starts-ge-100-per-s", allStartedAt > 0 && n / startSecs >= 100 ? "met" : "not met");
    figure("intake-goal-bridge-rss-le-256mb", p.bridge().maxRss() <= 256L << 20 ? "met" : "not met");
    report.note("heap and RSS are peaks over the child JVM's life up to the end of this section (JVM defaults, "
        + "no -Xmx" + (System.getProperty("bench.childJvmOpts", "").isBlank() ? ""
        : "; child JVM options: " + System.getProperty("bench.childJvmOpts")) + "); RSS from /proc/<pid>/status "
        + "(VmRSS sampled every 200 ms, and VmHWM)");
    if (done - published < 0) {
      throw new IllegalStateException("clock went backwards");
    }
  }

  private static String mb(long bytes) {
    return Report.num(bytes / 1024.0 / 1024.0, 0) + " MB";
  }

  private void pool(Pipeline p, List<StandInWorker> workers, boolean killOne) throws Exception {
    String label = killOne ? "pool-kill" : "pool";
    section(killOne ? "4c. Pool utilisation, one worker killed halfway" : "4a. Pool utilisation");
    int n = cfg.poolJobs();
    long d = cfg.poolDelayMillis();
    int alive = workers.size();
    report.note(n + " jobs of " + d + " ms (stand-in workers) published at once to " + alive + " workers"
        + (killOne ? "; when half the results are in, one stand-in is killed (its gRPC server shut down "
        + "mid-job); the orchestrator runs with the default timeouts of docs/workflow.md (heartbeat timeout / re-attach window 20 s, "
        + "first retry backoff 10 s)" : ""));
    long t0 = System.currentTimeMillis();
    List<String> ids = p.publishBatch(label + "-", n, d);
    if (killOne) {
      while (countResults(p, ids) < n / 2) {
        Thread.sleep(20);
      }
      StandInWorker victim = workers.get(workers.size() - 1);
      String victimAddress = victim.address();
      victim.kill();
      report.note("killed " + victimAddress + " at +" + (System.currentTimeMillis() - t0) + " ms");
    }
    int missing = p.awaitResults(ids, cfg.poolTimeoutMillis());
    long last = 0;
    for (String id : ids) {
      Pipeline.Result r = p.result(id);
      if (r != null) {
        last = Math.max(last, r.receivedMillis());
      }
    }
    double makespan = last - t0;
    double ideal = Math.ceil((double) n / alive) * d;
    figure(label + "-jobs", n + " x " + d + " ms on " + alive + " workers");
    figure(label + "-makespan", Report.ms(makespan));
    figure(label + "-ideal", Report.ms(ideal));
    figure(label + "-utilisation", Report.num(ideal / makespan, 2) + " (ideal / makespan)");
    if (killOne) {
      double idealKill = Math.ceil((n / 2.0) / alive) * d + Math.ceil((n / 2.0) / (alive - 1)) * d;
      figure(label + "-ideal-with-7-after-half", Report.ms(idealKill));
      figure(label + "-utilisation-vs-7-after-half", Report.num(idealKill / makespan, 2));
      figure(label + "-lost", Integer.toString(missing));
    } else {
      figure("pool-goal-utilisation-ge-0.9", ideal / makespan >= 0.9 ? "met" : "not met");
    }
    List<long[]> intervals = new ArrayList<>();
    for (StandInWorker w : workers) {
      for (StandInWorker.Run r : w.runs()) {
        if (r.workflowId().contains(":" + label + "-")) {
          intervals.add(new long[] {r.startMillis() - t0, r.endMillis() - t0});
        }
      }
    }
    plots.busyWorkers(target.labelPrefix() + label + "-busy-workers.png", "Busy stand-in workers over time: " + n + " jobs x " + d
        + " ms, " + alive + " workers" + (killOne ? ", one killed halfway" : ""), intervals, (long) makespan,
        alive);
  }

  private static int countResults(Pipeline p, List<String> ids) {
    int c = 0;
    for (String id : ids) {
      if (p.result(id) != null) {
        c++;
      }
    }
    return c;
  }
}
