package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Watches the Docker engine while a build runs, to tell a RUN killed by the engine (exit 137 because the engine
 * shut down and killed its containers, or an operator's {@code docker kill}) from a RUN the kernel OOM-killed
 * (also 137, the user's build is at fault). It follows the engine's container events ({@code kill} is the
 * engine's own kill, {@code oom} the kernel's, {@code die} the exit) and pings the engine every 500 ms; an
 * event stream that breaks or a ping that fails means the engine went away. {@link #killedByEngine} decides.
 */
final class EngineWatch implements AutoCloseable {
  private static final long INTERVAL_MILLIS = 500;
  private static final long PING_BOUND_MILLIS = 3_000;
  private static final long EVENT_CATCH_UP_MILLIS = 2_000;
  private final DockerClient docker;
  private final Thread thread;
  private final Set<String> killed = ConcurrentHashMap.newKeySet();
  private final Set<String> oomKilled = ConcurrentHashMap.newKeySet();
  private final Set<String> died = ConcurrentHashMap.newKeySet();
  private volatile boolean running = true;
  private volatile boolean unreachable;
  private ResultCallback.Adapter<Event> events;

  private EngineWatch(DockerClient docker) {
    this.docker = docker;
    this.thread = new Thread(this::loop, "blacktree-engine-watch");
    this.thread.setDaemon(true);
  }

  /** Starts watching: the event subscription and the pings. */
  static EngineWatch start(DockerClient docker) {
    EngineWatch w = new EngineWatch(docker);
    w.subscribe();
    w.thread.start();
    return w;
  }

  private void subscribe() {
    try {
      events = docker.eventsCmd()
          .withSince(Long.toString(System.currentTimeMillis() / 1000 - 1))
          .withEventTypeFilter(EventType.CONTAINER)
          .withEventFilter("kill", "oom", "die")
          .exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Event e) {
              String action = e.getAction() != null ? e.getAction() : e.getStatus();
              if (e.getId() == null || action == null) {
                return;
              }
              switch (action) {
                case "kill" -> killed.add(e.getId());
                case "oom" -> oomKilled.add(e.getId());
                case "die" -> died.add(e.getId());
                default -> { }
              }
            }

            @Override
            public void onError(Throwable t) {
              if (running) {
                unreachable = true;
              }
            }

            @Override
            public void onComplete() {
              if (running) {
                unreachable = true;
              }
            }
          });
    } catch (RuntimeException e) {
      unreachable = true;
    }
  }

  private void loop() {
    while (running) {
      if (!ping()) {
        unreachable = true;
      }
      try {
        Thread.sleep(INTERVAL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private boolean ping() {
    CompletableFuture<Boolean> f = CompletableFuture.supplyAsync(() -> {
      try {
        docker.pingCmd().exec();
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    });
    try {
      return f.get(PING_BOUND_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true; // stopping the watch says nothing about the engine
    } catch (Exception e) {
      f.cancel(true);
      return false;
    }
  }

  /**
   * Whether the engine, not the build's own command, ended the build: it was unreachable at some point (or is
   * now), or it killed one of {@code containerIds} (the build's RUN containers, short or full IDs) that the
   * kernel did not OOM-kill. Waits up to 2 s for the events of those containers to arrive.
   */
  boolean killedByEngine(List<String> containerIds) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EVENT_CATCH_UP_MILLIS);
    while (!unreachable && !containerIds.isEmpty() && !anyMatch(died, containerIds)
        && !anyMatch(killed, containerIds) && System.nanoTime() - end < 0) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!unreachable && !ping()) {
      unreachable = true;
    }
    return decide(unreachable, anyMatch(killed, containerIds), anyMatch(oomKilled, containerIds));
  }

  /**
   * The decision: an engine that went away ended the build; else an engine kill ({@code docker kill}, the
   * shutdown's stop) of a RUN container the kernel did not OOM-kill did; an OOM kill alone is the build's own.
   */
  static boolean decide(boolean engineUnreachable, boolean engineKilled, boolean oomKilled) {
    return engineUnreachable || engineKilled && !oomKilled;
  }

  private static boolean anyMatch(Set<String> fullIds, List<String> ids) {
    for (String full : fullIds) {
      for (String id : List.copyOf(ids)) {
        if (full.startsWith(id)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    if (events != null) {
      try {
        events.close();
      } catch (IOException ignored) {
        // the subscription ends with the build
      }
    }
  }
}
