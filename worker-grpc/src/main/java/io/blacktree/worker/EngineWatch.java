package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches the Docker engine while a build runs: pings it every 500 ms on a daemon thread and remembers whether
 * it ever failed to answer. {@link #interrupted()} also pings once more (bounded by 3 s), for an engine that
 * went down between two pings. A build whose RUN was killed (exit 137) while the engine was unreachable was
 * killed by the engine's shutdown, not by the user's command.
 */
final class EngineWatch implements AutoCloseable {
  private static final long INTERVAL_MILLIS = 500;
  private static final long PING_BOUND_MILLIS = 3_000;
  private final DockerClient docker;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean unreachable;

  private EngineWatch(DockerClient docker) {
    this.docker = docker;
    this.thread = new Thread(this::loop, "blacktree-engine-watch");
    this.thread.setDaemon(true);
  }

  /** Starts watching. */
  static EngineWatch start(DockerClient docker) {
    EngineWatch w = new EngineWatch(docker);
    w.thread.start();
    return w;
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

  /** True if the engine failed to answer at any point since the start, or does not answer now. */
  boolean interrupted() {
    if (unreachable) {
      return true;
    }
    if (!ping()) {
      unreachable = true;
    }
    return unreachable;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
