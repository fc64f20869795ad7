package io.blacktree.bench;

import io.blacktree.core.Affinity;
import io.blacktree.core.DeployResult;
import io.blacktree.core.JobStatus;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the cache-affinity outcomes of a run's jobs from what each job reports: its result message
 * ({@code DeployResult.affinity}: hit, miss or none, the preferred and the actual host; status; step times) and its
 * workflow history (when the dispatch was offered to the preferred host's own queue, when it went on to the shared
 * queue), with the time its worker started the job. Reports the hit rate against the goal, the hit/miss/waited
 * breakdown and each host's dispatch mix.
 */
final class AffinityTally {
  static final long WAITED_MILLIS = 1_000;
  private static final double GOAL = 0.9;
  private static final String DISPATCH = "Dispatch";

  /** One host's share: jobs run there by outcome, offers it lost to another host, hits that waited for it. */
  private static final class HostMix {
    final Map<Affinity.Outcome, Integer> ran = new EnumMap<>(Affinity.Outcome.class);
    int lost;
    int waited;
  }

  private final Map<Affinity.Outcome, Integer> outcomes = new EnumMap<>(Affinity.Outcome.class);
  private final Map<String, HostMix> hosts = new LinkedHashMap<>();
  private final Map<Affinity.Outcome, List<Double>> cloneMillis = new EnumMap<>(Affinity.Outcome.class);
  private final List<Double> hitWaits = new ArrayList<>();
  private final List<Double> missDetours = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private int jobs;
  private int failed;
  private int waited;

  /**
   * Adds one job: its result ({@code null} when the message could not be read), its history, and when a worker
   * started it (epoch millis, -1 when none did).
   */
  void add(DeployResult result, List<HistoryEvent> history, long workerStart) {
    jobs++;
    if (result == null || result.affinity() == null) {
      problems.add(result == null ? "a result message not readable as a DeployResult"
          : result.workflowId() + " reports no affinity (status " + result.status() + ")");
      return;
    }
    if (result.status() != JobStatus.SUCCESS) {
      failed++;
      problems.add(result.workflowId() + ": " + result.status() + " " + result.errorKind() + " "
          + result.errorMessage());
    }
    Affinity a = result.affinity();
    outcomes.merge(a.outcome(), 1, Integer::sum);
    if (a.host() != null) {
      hosts.computeIfAbsent(a.host(), h -> new HostMix()).ran.merge(a.outcome(), 1, Integer::sum);
    }
    if (result.stepMillis() != null && result.stepMillis().containsKey("cloning")) {
      cloneMillis.computeIfAbsent(a.outcome(), o -> new ArrayList<>())
          .add(result.stepMillis().get("cloning").doubleValue());
    }
    List<Long> offered = dispatchesScheduled(history, a.preferredHost());
    if (a.outcome() == Affinity.Outcome.MISS) {
      hosts.computeIfAbsent(a.preferredHost(), h -> new HostMix()).lost++;
      if (offered.size() >= 2) {
        missDetours.add((double) (offered.get(1) - offered.get(0)));
      }
    } else if (a.outcome() == Affinity.Outcome.HIT && !offered.isEmpty() && workerStart > 0) {
      long wait = workerStart - offered.get(0);
      hitWaits.add((double) wait);
      if (wait >= WAITED_MILLIS) {
        waited++;
        hosts.computeIfAbsent(a.host(), h -> new HostMix()).waited++;
      }
    }
  }

  /**
   * Event times (epoch millis) of the job's dispatch activities, in order, from the first one offered to
   * {@code preferredHost}'s own queue on (empty when none was).
   */
  private static List<Long> dispatchesScheduled(List<HistoryEvent> history, String preferredHost) {
    List<Long> times = new ArrayList<>();
    for (HistoryEvent e : history) {
      if (e.getEventType() != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
          || !e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals(DISPATCH)) {
        continue;
      }
      boolean onHost = preferredHost != null
          && e.getActivityTaskScheduledEventAttributes().getTaskQueue().getName().endsWith("." + preferredHost);
      if (onHost || !times.isEmpty()) {
        times.add(e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000);
      }
    }
    return times;
  }

  void report(Report report, List<String> hostIds) {
    int hit = count(Affinity.Outcome.HIT);
    int miss = count(Affinity.Outcome.MISS);
    double rate = hit + miss == 0 ? Double.NaN : (double) hit / (hit + miss);
    report.figure("affinity-hit-rate", Report.num(rate, 2));
    report.figure("affinity-hit-rate-basis", hit + " hits of " + (hit + miss) + " jobs whose repository had a "
        + "last host (hits + misses); " + count(Affinity.Outcome.NONE) + " jobs with none; " + jobs + " jobs in all");
    report.figure("affinity-hit-rate-goal-ge-" + GOAL, rate >= GOAL ? "met" : "not met");
    report.figure("affinity-outcomes", "hit " + hit + " (of which waited for the host " + waited + "), miss " + miss
        + ", none " + count(Affinity.Outcome.NONE) + ", failed jobs " + failed);
    report.figure("affinity-hit-wait", hitWaits.isEmpty() ? "n/a" : "offer to the host -> its worker starts the "
        + "job: p50 " + Report.ms(Stats.median(hitWaits)) + ", p95 " + Report.ms(Stats.percentile(hitWaits, 95))
        + ", max " + Report.ms(Stats.max(hitWaits)) + " (" + hitWaits.size() + " hits)");
    report.figure("affinity-miss-detour", missDetours.isEmpty() ? "n/a" : "offer to the host -> offer to any "
        + "free host: p50 " + Report.ms(Stats.median(missDetours)) + ", max " + Report.ms(Stats.max(missDetours))
        + " (" + missDetours.size() + " misses)");
    for (String host : hostIds) {
      HostMix mix = hosts.getOrDefault(host, new HostMix());
      int ran = mix.ran.values().stream().mapToInt(Integer::intValue).sum();
      report.figure("affinity-dispatch-" + host, "ran " + ran + " (hit " + mix.ran.getOrDefault(Affinity.Outcome.HIT,
          0) + ", of which waited " + mix.waited + "; miss taken from another host " + mix.ran.getOrDefault(
          Affinity.Outcome.MISS, 0) + "; none " + mix.ran.getOrDefault(Affinity.Outcome.NONE, 0) + "); its own "
          + "jobs lost to another host (miss) " + mix.lost);
    }
    List<String> clone = new ArrayList<>();
    cloneMillis.forEach((o, v) -> clone.add(o.value() + " " + Report.ms(Stats.median(v)) + " (" + v.size() + ")"));
    report.figure("affinity-clone-median", clone.isEmpty() ? "n/a" : String.join(", ", clone) + " (the results' "
        + "cloning step; a hit's git mirror is warm)");
    for (String p : problems.subList(0, Math.min(5, problems.size()))) {
      report.note("problem: " + p);
    }
    if (problems.size() > 5) {
      report.note((problems.size() - 5) + " more problems");
    }
  }

  private int count(Affinity.Outcome outcome) {
    return outcomes.getOrDefault(outcome, 0);
  }
}
