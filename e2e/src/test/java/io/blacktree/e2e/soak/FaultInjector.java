package io.blacktree.e2e.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Injects one fault into a {@link SoakStack} and brings the component or service back, recording it on the
 * {@link Timeline}. A component found dead that the soak did not kill is started again and reported.
 */
final class FaultInjector {
  static final Duration LINK_CUT = Duration.ofSeconds(20);

  private final SoakStack stack;
  private final Timeline timeline;
  private final Instant t0;
  private final List<String> unplannedExits = new ArrayList<>();

  FaultInjector(SoakStack stack, Timeline timeline, Instant t0) {
    this.stack = stack;
    this.timeline = timeline;
    this.t0 = t0;
  }

  void inject(FaultSchedule.Planned f) {
    long start = now();
    String target = switch (f.kind()) {
      case WORKER_KILL, LINK_CUT -> "worker" + f.worker();
      case ORCHESTRATOR_KILL -> "orchestrator";
      case BRIDGE_KILL -> "bridge";
      case RABBIT_RESTART -> "rabbitmq";
      case TEMPORAL_RESTART -> "temporal";
      case DOCKERD_RESTART -> "dockerd";
    };
    String error = null;
    System.out.printf("[soak %5ds] fault %s on %s%n", start / 1000, f.kind(), target);
    try {
      switch (f.kind()) {
        case WORKER_KILL -> {
          stack.killWorker(f.worker());
          Thread.sleep(2000);
          stack.startWorker(f.worker());
        }
        case ORCHESTRATOR_KILL -> {
          stack.killOrchestrator();
          Thread.sleep(3000);
          stack.startOrchestrator();
        }
        case BRIDGE_KILL -> {
          stack.killBridge();
          Thread.sleep(2000);
          stack.startBridge();
        }
        case RABBIT_RESTART -> stack.rabbit.restart();
        case TEMPORAL_RESTART -> {
          stack.temporal.kill();
          Thread.sleep(5000);
          stack.temporal.start();
        }
        case LINK_CUT -> {
          stack.links.get(f.worker()).blackhole(LINK_CUT);
          Thread.sleep(LINK_CUT.toMillis());
          stack.links.get(f.worker()).pass();
        }
        case DOCKERD_RESTART -> {
          stack.dockerd.stop();
          stack.dockerd.start();
        }
      }
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
    for (int i = 0; i < stack.workers(); i++) {
      int w = i;
      if (!stack.workerProcesses.get(w).isAlive()) {
        note(stack.workerProcesses.get(w).toString());
        restart(() -> stack.startWorker(w));
      }
    }
    for (String dead : stack.deadComponents()) {
      if (dead.contains("orchestrator")) {
        note(dead);
        restart(stack::startOrchestrator);
      } else if (dead.contains("bridge")) {
        note(dead);
        restart(stack::startBridge);
      }
    }
  }

  private void note(String what) {
    String line = "t=" + now() / 1000 + "s " + what + " was not running";
    unplannedExits.add(line);
    System.out.println("[soak] " + line + ": starting it again");
  }

  private static void restart(Runnable r) {
    try {
      r.run();
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
