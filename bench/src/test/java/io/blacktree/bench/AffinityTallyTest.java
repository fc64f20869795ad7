package io.blacktree.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.blacktree.core.Affinity;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.JobStatus;
import io.temporal.api.common.v1.ActivityType;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.taskqueue.v1.TaskQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AffinityTallyTest {
  private static final long T0 = 1_800_000_000_000L;
  private static final String SECTION = "affinity";

  private final AffinityTally tally = new AffinityTally();

  @Test
  void report_hitsMissesAndNone_rateCountsOnlyJobsWithALastHost() {
    tally.add(hit("h0", 100), onHost("h0"), T0 + 100);
    tally.add(hit("h0", 100), onHost("h0"), T0 + 100);
    tally.add(hit("h1", 100), onHost("h1"), T0 + 100);
    tally.add(miss("h1", "h0"), onHostThenShared("h1", 10_000), T0 + 10_050);
    tally.add(none("h0"), shared(), T0 + 50);
    tally.add(none("h1"), shared(), T0 + 50);

    Map<String, String> f = report(List.of("h0", "h1"));

    assertThat(f.get("affinity-hit-rate")).isEqualTo("0.75");
    assertThat(f.get("affinity-hit-rate-goal-ge-0.9")).isEqualTo("not met");
    assertThat(f.get("affinity-hit-rate-basis")).startsWith("3 hits of 4 jobs").contains("2 jobs with none")
        .contains("6 jobs in all");
    assertThat(f.get("affinity-outcomes")).isEqualTo("hit 3 (of which waited for the host 0), miss 1, none 2, "
        + "failed jobs 0");
    assertThat(f.get("affinity-miss-detour")).contains("p50 10000 ms").contains("(1 misses)");
  }

  @Test
  void report_nineHitsOfTen_goalMet() {
    for (int i = 0; i < 9; i++) {
      tally.add(hit("h0", 100), onHost("h0"), T0 + 100);
    }
    tally.add(miss("h0", "h1"), onHostThenShared("h0", 5_000), T0 + 5_100);

    Map<String, String> f = report(List.of("h0", "h1"));

    assertThat(f.get("affinity-hit-rate")).isEqualTo("0.90");
    assertThat(f.get("affinity-hit-rate-goal-ge-0.9")).isEqualTo("met");
  }

  @Test
  void add_hitWhoseWorkerStartedASecondAfterTheOffer_countsAsWaitedOnThatHost() {
    tally.add(hit("h1", 100), onHost("h1"), T0 + 1_500);
    tally.add(hit("h1", 100), onHost("h1"), T0 + 200);

    Map<String, String> f = report(List.of("h0", "h1"));

    assertThat(f.get("affinity-outcomes")).startsWith("hit 2 (of which waited for the host 1)");
    assertThat(f.get("affinity-hit-wait")).contains("max 1500 ms").contains("(2 hits)");
    assertThat(f.get("affinity-dispatch-h1")).startsWith("ran 2 (hit 2, of which waited 1;");
    assertThat(f.get("affinity-dispatch-h0")).startsWith("ran 0 (hit 0,");
  }

  @Test
  void report_missRunsOnTheTakingHostAndIsLostByThePreferredOne() {
    tally.add(miss("h0", "h1"), onHostThenShared("h0", 10_000), T0 + 10_100);
    tally.add(none("h0"), shared(), T0 + 50);

    Map<String, String> f = report(List.of("h0", "h1"));

    assertThat(f.get("affinity-dispatch-h0")).isEqualTo("ran 1 (hit 0, of which waited 0; miss taken from another "
        + "host 0; none 1); its own jobs lost to another host (miss) 1");
    assertThat(f.get("affinity-dispatch-h1")).isEqualTo("ran 1 (hit 0, of which waited 0; miss taken from another "
        + "host 1; none 0); its own jobs lost to another host (miss) 0");
  }

  @Test
  void add_failedJob_countedByItsOutcomeAndAsFailed() {
    DeployResult failed = DeployResult.unsuccessful(JobStatus.FAILED, "wf-failed", null, "127.0.0.1:1", 1,
        ErrorKind.BUILD_FAILED, "RUN failed", null).withAffinity(new Affinity(Affinity.Outcome.HIT, "h0", "h0"));
    tally.add(failed, onHost("h0"), T0 + 100);

    Map<String, String> f = report(List.of("h0"));

    assertThat(f.get("affinity-outcomes")).isEqualTo("hit 1 (of which waited for the host 0), miss 0, none 0, "
        + "failed jobs 1");
    assertThat(f.get("affinity-hit-rate")).isEqualTo("1.00");
  }

  private Map<String, String> report(List<String> hosts) {
    Report report = new Report();
    report.section(SECTION);
    tally.report(report, hosts);
    return report.figures(SECTION).stream()
        .collect(Collectors.toMap(Report.Figure::name, Report.Figure::value));
  }

  private static DeployResult hit(String host, long cloneMillis) {
    return success(new Affinity(Affinity.Outcome.HIT, host, host), cloneMillis);
  }

  private static DeployResult miss(String preferred, String ranOn) {
    return success(new Affinity(Affinity.Outcome.MISS, preferred, ranOn), 900);
  }

  private static DeployResult none(String ranOn) {
    return success(new Affinity(Affinity.Outcome.NONE, null, ranOn), 900);
  }

  private static DeployResult success(Affinity affinity, long cloneMillis) {
    return new DeployResult(JobStatus.SUCCESS, "wf", null, null, null, null, null, "127.0.0.1:1", 1,
        Map.of("cloning", cloneMillis), null, null, null, null, affinity, null);
  }

  /** A history whose one dispatch was offered to {@code host}'s own queue at T0. */
  private static List<HistoryEvent> onHost(String host) {
    return List.of(dispatch("bench-dispatch." + host, T0));
  }

  /** Offered to {@code host} at T0, then to the shared queue {@code afterMillis} later. */
  private static List<HistoryEvent> onHostThenShared(String host, long afterMillis) {
    List<HistoryEvent> events = new ArrayList<>(onHost(host));
    events.add(dispatch("bench-dispatch", T0 + afterMillis));
    return events;
  }

  private static List<HistoryEvent> shared() {
    return List.of(dispatch("bench-dispatch", T0));
  }

  private static HistoryEvent dispatch(String queue, long atMillis) {
    return HistoryEvent.newBuilder()
        .setEventType(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .setEventTime(Timestamp.newBuilder().setSeconds(atMillis / 1000).setNanos((int) (atMillis % 1000) * 1_000_000))
        .setActivityTaskScheduledEventAttributes(ActivityTaskScheduledEventAttributes.newBuilder()
            .setActivityType(ActivityType.newBuilder().setName("Dispatch"))
            .setTaskQueue(TaskQueue.newBuilder().setName(queue)))
        .build();
  }
}
