package io.blacktree.bench;

import io.blacktree.workflows.OrchestratorConfig;
import java.time.Duration;
import java.util.Map;

/**
 * The cache-affinity section's options, read from the same {@code --name=value} arguments as {@link BenchConfig}:
 * {@code --affinity-jobs=200} over {@code --affinity-repos=20} repositories on {@code --affinity-hosts=4} build hosts
 * (the sizes of issue 19), {@code --affinity-in-flight} jobs at a time (default: one per host), the orchestrators'
 * {@code --affinity-wait} in milliseconds (default: the orchestrator's own) and {@code --affinity-seed} (which
 * repository goes next).
 */
record AffinityOptions(int jobs, int repos, int hosts, int inFlight, Duration affinityWait, long seed) {

  AffinityOptions {
    if (jobs < 1 || repos < 1 || hosts < 1 || inFlight < 1) {
      throw new IllegalArgumentException("--affinity-jobs, -repos, -hosts and -in-flight must be at least 1");
    }
  }

  static AffinityOptions parse(String[] args) {
    Map<String, String> m = BenchConfig.options(args);
    int hosts = Integer.parseInt(m.getOrDefault("affinity-hosts", "4"));
    return new AffinityOptions(
        Integer.parseInt(m.getOrDefault("affinity-jobs", "200")),
        Integer.parseInt(m.getOrDefault("affinity-repos", "20")),
        hosts,
        m.containsKey("affinity-in-flight") ? Integer.parseInt(m.get("affinity-in-flight")) : hosts,
        m.containsKey("affinity-wait") ? Duration.ofMillis(Long.parseLong(m.get("affinity-wait")))
            : OrchestratorConfig.builder().build().affinityWait(),
        Long.parseLong(m.getOrDefault("affinity-seed", "19")));
  }
}
