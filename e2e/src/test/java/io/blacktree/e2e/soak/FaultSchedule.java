package io.blacktree.e2e.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * When the soak injects which fault, decided up front from the seed. Gaps between faults are drawn uniformly
 * in [0.5, 1.5] x the mean gap (the first one after half a gap); kinds come in rounds, each round a fresh
 * shuffle of every kind, so over a run each kind occurs about equally often and every kind occurs once the run
 * holds a whole round. A fault that acts on one of several (a worker, a build host, a broker node, a bridge)
 * names one at random in {@code [0, workers)}; the stack maps it onto what it has.
 */
final class FaultSchedule {
  /** A fault to inject {@code at} after the run's start; {@code worker} matters for worker faults only. */
  record Planned(Duration at, FaultKind kind, int worker) {}

  private FaultSchedule() {}

  static List<Planned> plan(Duration length, Duration meanGap, List<FaultKind> kinds, int workers, Random random) {
    if (meanGap.isZero() || meanGap.isNegative()) {
      throw new IllegalArgumentException("mean gap must be positive: " + meanGap);
    }
    List<Planned> out = new ArrayList<>();
    List<FaultKind> round = new ArrayList<>();
    long gapMillis = meanGap.toMillis();
    long at = gapMillis / 2;
    while (at < length.toMillis()) {
      if (round.isEmpty()) {
        round.addAll(kinds);
        Collections.shuffle(round, random);
      }
      out.add(new Planned(Duration.ofMillis(at), round.remove(0), random.nextInt(workers)));
      at += gapMillis / 2 + (long) (random.nextDouble() * gapMillis);
    }
    return out;
  }

  /** The mean gap for a run of {@code length}: about 24 faults, never closer than 20 s nor further than 90 s. */
  static Duration defaultGap(Duration length) {
    long s = Math.max(20, Math.min(90, length.toSeconds() / 24));
    return Duration.ofSeconds(s);
  }
}
