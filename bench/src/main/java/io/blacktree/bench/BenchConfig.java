package io.blacktree.bench;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The harness's options, from {@code --name=value} arguments (all optional):
 * {@code --sections=script,overhead,intake,pool} (also {@code fleet} and {@code affinity}, whose options are in
 * {@link BuildOptions} and {@link AffinityOptions}) {@code --runs=3} (script vs worker, per case)
 * {@code --overhead-jobs=200} {@code --overhead-concurrency=1} {@code --overhead-delay-ms=100}
 * {@code --intake=2000} {@code --intake-delay-ms=20} {@code --pool-workers=8} {@code --pool-jobs=200}
 * {@code --pool-delay-ms=2000} {@code --cancel-runs=5} {@code --temporal=127.0.0.1:7233}
 * {@code --registry=127.0.0.1:5000} {@code --big-mb=60} {@code --files=1000} {@code --install-mb=512} (the MiB the
 * fleet section's {@code install} repository hashes in its dependency step) {@code --out=BENCHMARKS.md}
 * {@code --bridge-prefetch=10} (the bridge's {@code --prefetch}: unacked messages, so concurrent starts)
 * {@code --cluster-temporal=127.0.0.1:7433} (the cluster profile's frontend, Temporal on PostgreSQL: the overhead
 * and intake sections run against it too, labelled {@code cluster-}; empty to skip).
 */
record BenchConfig(Set<String> sections, int runs, int overheadJobs, int overheadConcurrency,
    long overheadDelayMillis, int intakeMessages, long intakeDelayMillis, int poolWorkers, int poolJobs,
    long poolDelayMillis, int cancelRuns, String temporal, String registry, int bigMb, int files, int installMb,
    String out,
    String runId, String command, int bridgePrefetch, String clusterTemporal) {

  /** The {@code --name=value} arguments as name -> value; the options records of the sections read them too. */
  static Map<String, String> options(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("expected --name=value, got " + a);
      }
      m.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    return m;
  }

  static BenchConfig parse(String[] args) {
    Map<String, String> m = options(args);
    String run = UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    return new BenchConfig(
        Set.of(m.getOrDefault("sections", "script,overhead,intake,pool").split(",")),
        Integer.parseInt(m.getOrDefault("runs", "3")),
        Integer.parseInt(m.getOrDefault("overhead-jobs", "200")),
        Integer.parseInt(m.getOrDefault("overhead-concurrency", "1")),
        Long.parseLong(m.getOrDefault("overhead-delay-ms", "100")),
        Integer.parseInt(m.getOrDefault("intake", "2000")),
        Long.parseLong(m.getOrDefault("intake-delay-ms", "20")),
        Integer.parseInt(m.getOrDefault("pool-workers", "8")),
        Integer.parseInt(m.getOrDefault("pool-jobs", "200")),
        Long.parseLong(m.getOrDefault("pool-delay-ms", "2000")),
        Integer.parseInt(m.getOrDefault("cancel-runs", "5")),
        m.getOrDefault("temporal", io.blacktree.core.Defaults.TEMPORAL_TARGET),
        m.getOrDefault("registry", "127.0.0.1:5000"),
        Integer.parseInt(m.getOrDefault("big-mb", "60")),
        Integer.parseInt(m.getOrDefault("files", "1000")),
        Integer.parseInt(m.getOrDefault("install-mb", "512")),
        m.getOrDefault("out", "BENCHMARKS.md"),
        run,
        m.getOrDefault("command", "scripts/bench " + String.join(" ", args)).trim(),
        Integer.parseInt(m.getOrDefault("bridge-prefetch", "10")),
        m.getOrDefault("cluster-temporal", "127.0.0.1:7433").trim());
  }

  long intakeTimeoutMillis() {
    return Math.max(600_000, intakeMessages * 1000L);
  }

  long poolTimeoutMillis() {
    return Math.max(300_000, poolJobs * poolDelayMillis * 2);
  }
}
