package io.blacktree.e2e.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Injects one fault into a {@link SoakPipeline} (which brings the component or service back) and records it on
 * the {@link Timeline}. A component found dead that the soak did not kill is started again and reported.
 */
final class FaultInjector {
  private final SoakPipeline stack;
  private final Timeline timeline;
  private final Instant t0;
  private final List<String> unplannedExits = new ArrayList<>();

  FaultInjector(SoakPipeline stack, Timeline timeline, Instant t0) {
    this.stack = stack;
    this.timeline = timeline;
    this.t0 = t0;
  }

  void inject(FaultSchedule.Planned f) {
    long start = now();
    String target = stack.target(f);
    String error = null;
    System.out.printf("[soak %5ds] fault %s on %s%n", start / 1000, f.kind(), target);
    try {
      stack.inject(f);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "interrupted";
    } catch (Exception | Error e) {
      error = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
      System.out.printf("[soak] fault %s on %s failed: %s%n", f.kind(), target, error);
    }
    heal();
    timeline.fault(new Timeline.Fault(f.kind(), target, start, now(), error));
  }

  /** Starts again any component that is not running (one the soak did not just kill), and remembers it. */
  void heal() {
    try {
      for (String dead : stack.restartDead()) {
        String line = "t=" + now() / 1000 + "s " + dead + " was not running";
        unplannedExits.add(line);
        System.out.println("[soak] " + line + ": started it again");
      }
    } catch (RuntimeException e) {
      System.out.println("[soak] restart failed: " + firstLine(e.getMessage()));
    }
  }

  List<String> unplannedExits() {
    return List.copyOf(unplannedExits);
  }

  private long now() {
    return Duration.between(t0, Instant.now()).toMillis();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
