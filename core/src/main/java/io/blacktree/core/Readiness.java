package io.blacktree.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a process's dependencies answer right now (RabbitMQ, Temporal, the Docker engine): what
 * {@code /health/ready} reports. A check must return within a few seconds and never throw.
 */
@FunctionalInterface
public interface Readiness {

  /** Checks every dependency now. */
  Status check();

  /**
   * The verdict: ready when nothing failed; {@code failing} names each dependency that did not answer with a
   * short reason (no credentials).
   */
  record Status(List<String> failing) {
    public Status {
      failing = List.copyOf(failing);
    }

    public static Status ok() {
      return new Status(List.of());
    }

    public static Status failing(String reason) {
      return new Status(List.of(reason));
    }

    public boolean ready() {
      return failing.isEmpty();
    }

    /** Both verdicts together: ready only when both are. */
    public Status and(Status other) {
      List<String> all = new ArrayList<>(failing);
      all.addAll(other.failing);
      return new Status(all);
    }
  }

  /** Ready when every one of {@code checks} is; all of them are run. */
  static Readiness all(List<Readiness> checks) {
    List<Readiness> copy = List.copyOf(checks);
    return () -> {
      Status s = Status.ok();
      for (Readiness r : copy) {
        s = s.and(r.check());
      }
      return s;
    };
  }
}
