package io.blacktree.e2e.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blacktree.e2e.soak.FaultSchedule.Planned;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
  private static final List<FaultKind> SINGLE = SoakMode.SINGLE.faultKinds();

  @Test
  void plan_sameSeed_sameSchedule() {
    List<Planned> a = FaultSchedule.plan(Duration.ofMinutes(30), Duration.ofSeconds(75), SINGLE, 3, new Random(7));
    List<Planned> b = FaultSchedule.plan(Duration.ofMinutes(30), Duration.ofSeconds(75), SINGLE, 3, new Random(7));

    assertThat(a).isEqualTo(b).isNotEmpty();
  }

  @Test
  void plan_thirtyMinutes_inOrderWithinRunGapsBounded() {
    Duration gap = Duration.ofSeconds(60);
    List<Planned> plan = FaultSchedule.plan(Duration.ofMinutes(30), gap, SINGLE, 3, new Random(42));

    assertThat(plan.get(0).at()).isEqualTo(Duration.ofSeconds(30));
    for (int i = 1; i < plan.size(); i++) {
      Duration d = plan.get(i).at().minus(plan.get(i - 1).at());
      assertThat(d).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(90));
    }
    assertThat(plan.get(plan.size() - 1).at()).isLessThan(Duration.ofMinutes(30));
    assertThat(plan).allMatch(p -> p.worker() >= 0 && p.worker() < 3);
    assertThat(plan.size()).isBetween(20, 60);
  }

  @Test
  void plan_wholeRounds_everyKindEquallyOften() {
    int kinds = SINGLE.size();
    // gaps are at least 0.5 x 10 s: 400 s holds at least 7 rounds of 7 kinds
    List<Planned> plan = FaultSchedule.plan(Duration.ofSeconds(400), Duration.ofSeconds(10), SINGLE, 2, new Random(1));
    List<Planned> rounds = plan.subList(0, plan.size() / kinds * kinds);

    Map<FaultKind, Long> counts = rounds.stream()
        .collect(Collectors.groupingBy(Planned::kind, Collectors.counting()));
    assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(SINGLE);
    assertThat(counts.values().stream().distinct()).hasSize(1);
    assertThat(rounds.subList(0, kinds).stream().map(Planned::kind).collect(Collectors.toSet()))
        .hasSize(kinds);
  }

  @Test
  void plan_clusterKinds_onlyThoseEachOncePerRound() {
    List<FaultKind> cluster = SoakMode.CLUSTER.faultKinds();
    List<Planned> plan = FaultSchedule.plan(Duration.ofMinutes(12), Duration.ofSeconds(60), cluster, 3, new Random(3));

    assertThat(plan.subList(0, cluster.size())).extracting(Planned::kind).containsExactlyInAnyOrderElementsOf(cluster);
    assertThat(plan).extracting(Planned::kind).allMatch(cluster::contains);
  }

  @Test
  void plan_shorterThanHalfAGap_noFault() {
    assertThat(FaultSchedule.plan(Duration.ofSeconds(10), Duration.ofSeconds(30), SINGLE, 3, new Random(1))).isEmpty();
  }

  @Test
  void plan_zeroGap_refused() {
    assertThatThrownBy(() -> FaultSchedule.plan(Duration.ofMinutes(1), Duration.ZERO, SINGLE, 3, new Random(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defaultGap_clampedBetween20And90Seconds() {
    assertThat(FaultSchedule.defaultGap(Duration.ofMinutes(3))).isEqualTo(Duration.ofSeconds(20));
    assertThat(FaultSchedule.defaultGap(Duration.ofMinutes(30))).isEqualTo(Duration.ofSeconds(75));
    assertThat(FaultSchedule.defaultGap(Duration.ofHours(3))).isEqualTo(Duration.ofSeconds(90));
  }
}
