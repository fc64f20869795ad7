package io.blacktree.e2e.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What happened over a soak run: samples of the jobs in flight and the faults with their start and end. */
final class Timeline {
  /** At {@code atMillis}: accepted workflow IDs sent so far, and how many of them had their result. */
  record Sample(long atMillis, int accepted, int ended) {
    int inFlight() {
      return accepted - ended;
    }
  }

  /** A fault from {@code startMillis} until the component/service was back ({@code endMillis}). */
  record Fault(FaultKind kind, String target, long startMillis, long endMillis, String error) {}

  private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
  private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());

  void sample(Sample s) {
    samples.add(s);
  }

  void fault(Fault f) {
    faults.add(f);
  }

  List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  List<Fault> faults() {
    synchronized (faults) {
      return List.copyOf(faults);
    }
  }
}
