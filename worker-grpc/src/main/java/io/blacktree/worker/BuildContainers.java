package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic builder's intermediate containers of this worker's builds, seen in the build stream as
 * {@code ---> Running in <id>}. The builder removes them itself when a build ends ({@code forcerm}), but not
 * when the engine goes down mid-RUN: the stopped container survives the engine's restart. After a failed or
 * stopped build the worker removes them (force), retrying while the engine is unreachable up to a bound;
 * what is still there stays pending and is removed at the next job's start. The containers carry no labels,
 * so the IDs seen are the only tie to our builds; nothing else on the engine is touched.
 */
final class BuildContainers {
  private static final Logger LOG = LoggerFactory.getLogger(BuildContainers.class);
  private static final Pattern RUNNING_IN = Pattern.compile("--->\\s+Running in\\s+([0-9a-f]{12,64})\\b");
  private static final long RETRY_MILLIS = 500;
  private final DockerClient docker;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();

  BuildContainers(DockerClient docker) {
    this.docker = docker;
  }

  /** The container ID in a build output line {@code ---> Running in <id>}, or null. */
  static String runningIn(String line) {
    if (line == null) {
      return null;
    }
    Matcher m = RUNNING_IN.matcher(line);
    return m.find() ? m.group(1) : null;
  }

  /** Containers this worker must remove unless the build that ran them ends well. */
  void track(String containerId) {
    pending.add(containerId);
  }

  /** The builder removed these itself (the build ended well): nothing to do for them. */
  void forget(List<String> containerIds) {
    containerIds.forEach(pending::remove);
  }

  /** IDs still to remove. */
  Set<String> pending() {
    return Set.copyOf(pending);
  }

  /**
   * Removes every pending container (force, with its anonymous volumes); a container already gone counts as
   * removed. While the engine does not answer, retries every 500 ms until {@code bound} is over; the rest
   * stays pending.
   *
   * @return how many containers were removed (not counting those already gone)
   */
  int removePending(Duration bound) {
    long end = System.nanoTime() + bound.toNanos();
    int removed = 0;
    for (String id : List.copyOf(pending)) {
      while (true) {
        try {
          docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
          pending.remove(id);
          removed++;
          break;
        } catch (NotFoundException e) {
          pending.remove(id);
          break;
        } catch (RuntimeException e) {
          if (System.nanoTime() - end > 0) {
            LOG.info("build container {} not removed yet ({}), kept for the next job", id,
                e.getClass().getSimpleName());
            return removed;
          }
          if (!pause()) {
            return removed;
          }
        }
      }
    }
    if (removed > 0) {
      LOG.info("removed {} leftover build container(s)", removed);
    }
    return removed;
  }

  private static boolean pause() {
    try {
      Thread.sleep(RETRY_MILLIS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
