package io.blacktree.bench;

import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.blacktree.worker.JobObserver;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Section 5: cache-affinity dispatch over a fleet of build hosts. Each host is a real build worker (in this JVM, its
 * own workspace and git mirror cache) and an orchestrator child JVM that owns only that worker, with its own
 * {@code --host-id}, as a build host is deployed; a bridge child JVM takes the requests from RabbitMQ. Each job is
 * the next version of one of the repositories (a one-file commit before every version after the first), a fixed
 * number in flight at a time. Whether a job ran on its repository's last host is read from its result message
 * ({@code DeployResult.affinity}) and counted by {@link AffinityTally}; the harness only decides what to publish
 * when.
 */
final class AffinityBench {
  /** A job without a result this long after its publish fails the section. */
  private static final long JOB_BOUND_MILLIS = 600_000;

  private final BuildSetup setup;
  private final AffinityOptions opts;
  private final Path logDir;
  private final Report report;

  AffinityBench(BuildSetup setup, AffinityOptions opts, Path logDir) {
    this.setup = setup;
    this.opts = opts;
    this.logDir = logDir;
    this.report = setup.report();
  }

  void run() throws Exception {
    report.section("5. Cache affinity: " + opts.jobs() + " jobs over " + opts.repos() + " repositories on "
        + opts.hosts() + " build hosts");
    String loadBefore = BenchMain.loadAverage();
    Path dir = setup.tmp().resolve("affinity");
    setup.repos().ensureBase(dir);
    GitRepos git = new GitRepos(dir.resolve("git"));
    String salt = UUID.randomUUID().toString().substring(0, 8);
    List<String> repos = new ArrayList<>();
    for (int r = 0; r < opts.repos(); r++) {
      repos.add("bench-" + setup.cfg().runId() + "/affinity-" + r);
      git.create(repos.get(r), "main", setup.repos().files("tiny", salt + "-" + r));
    }
    WorkerStarts starts = new WorkerStarts();
    List<BenchWorker> workers = new ArrayList<>();
    try (GitDaemonServer daemon = GitDaemonServer.start(git.baseDir())) {
      List<Pipeline.Host> hosts = new ArrayList<>();
      for (int h = 0; h < opts.hosts(); h++) {
        BenchWorker worker = new BenchWorker(dir.resolve("host-" + h), setup.cfg().registry(),
            URI.create(daemon.baseUrl()), setup.opts(), setup.opts().buildkitAddr(), setup.opts().registryCache(),
            starts);
        workers.add(worker);
        hosts.add(new Pipeline.Host("h" + h, List.of(worker.address()), opts.affinityWait()));
      }
      describe();
      try (Pipeline p = new Pipeline(setup.cfg().runId() + "-affinity", setup.cfg().temporal(), hosts,
          Files.createDirectories(logDir.resolve("affinity")), setup.cfg().bridgePrefetch())) {
        List<String> ids = drive(p, git, repos, salt);
        AffinityTally tally = new AffinityTally();
        for (String id : ids) {
          tally.add(p.result(id).body(), p.client().fetchHistory(id).getHistory().getEventsList(),
              starts.startOf(id));
        }
        tally.report(report, hosts.stream().map(Pipeline.Host::hostId).toList());
      }
    } finally {
      for (BenchWorker w : workers) {
        w.close();
      }
    }
    report.figure("affinity-load-average", loadBefore + " before, " + BenchMain.loadAverage() + " after");
  }

  private void describe() {
    report.note(opts.hosts() + " build hosts, each a real build worker (WorkerApp in the harness JVM, --builder "
        + setup.opts().builder() + ", --registry-cache " + (setup.opts().registryCache() ? "on" : "off")
        + ", its own workspace and git mirror cache; all share the buildkitd " + setup.opts().buildkitAddr()
        + ", the engine and the registry " + setup.cfg().registry() + ") and an orchestrator child JVM owning only "
        + "that worker (--host-id h<n>, --affinity-wait " + opts.affinityWait().toMillis() + " ms); one bridge "
        + "child JVM; Temporal " + setup.cfg().temporal() + "; requests published to RabbitMQ as for the other "
        + "sections");
    report.note("driver: " + opts.jobs() + " jobs over " + opts.repos() + " repositories (the bench's tiny "
        + "repository, each its own content; every version after v1 is a one-file commit made just before its "
        + "request), " + opts.inFlight() + " in flight at a time (closed loop: the next request is published when a "
        + "result arrives), the next repository drawn at random (seed " + opts.seed() + ") among those with no job "
        + "in flight; the first version of a repository has no last host (outcome none)");
    report.note("counted from each job's result message (DeployResult.affinity: hit, miss or none, the host it ran "
        + "on); hit rate = hits / (hits + misses), the jobs whose repository had a last host; a hit 'waited' when "
        + "its worker started the job " + AffinityTally.WAITED_MILLIS + " ms or more after the dispatch was offered "
        + "to the host (history event time against the worker's job start, same machine clock)");
  }

  /**
   * Publishes the jobs, at most {@code inFlight} at a time and at most one per repository, until every job has a
   * result; returns their workflow IDs in publish order.
   */
  private List<String> drive(Pipeline p, GitRepos git, List<String> repos, String salt) throws Exception {
    SplittableRandom random = new SplittableRandom(opts.seed());
    int[] left = new int[repos.size()];
    for (int r = 0; r < left.length; r++) {
      left[r] = opts.jobs() / repos.size() + (r < opts.jobs() % repos.size() ? 1 : 0);
    }
    int[] versions = new int[repos.size()];
    Map<String, Integer> inFlight = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    while (ids.size() < opts.jobs() || !inFlight.isEmpty()) {
      while (inFlight.size() < opts.inFlight()) {
        List<Integer> idle = new ArrayList<>();
        for (int r = 0; r < left.length; r++) {
          if (left[r] > 0 && !inFlight.containsValue(r)) {
            idle.add(r);
          }
        }
        if (idle.isEmpty()) {
          break;
        }
        int r = idle.get(random.nextInt(idle.size()));
        left[r]--;
        String version = "v" + ++versions[r];
        if (versions[r] > 1) {
          git.commit(repos.get(r), "main", BenchRepos.change(salt + "-" + r + "-" + version), version);
        }
        String id = p.publishBuild(repos.get(r), version);
        inFlight.put(id, r);
        ids.add(id);
      }
      inFlight.keySet().removeIf(id -> p.result(id) != null);
      for (String id : inFlight.keySet()) {
        if (System.currentTimeMillis() - p.publishedAt(id) > JOB_BOUND_MILLIS) {
          throw new IllegalStateException("no result for " + id + " within " + JOB_BOUND_MILLIS / 1000
              + " s; see the child logs under " + logDir.resolve("affinity"));
        }
      }
      Thread.sleep(20);
    }
    return ids;
  }

  /** When each workflow's job first started on a worker (the worker's own observer, this JVM's clock). */
  static final class WorkerStarts implements JobObserver {
    private final Map<String, Long> starts = new ConcurrentHashMap<>();

    @Override
    public void jobStarted(JobInfo job) {
      starts.putIfAbsent(job.workflowId(), System.currentTimeMillis());
    }

    /** Epoch millis, or -1 when no worker started a job of {@code workflowId}. */
    long startOf(String workflowId) {
      return starts.getOrDefault(workflowId, -1L);
    }
  }
}
