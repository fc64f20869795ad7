package io.blacktree.activities;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What this orchestrator knows of the build host that last built each repository: learnt from every successful
 * result the fleet publishes ({@link LastHostFeed}) and from visibility lookups ({@link AffinityActivitiesImpl}).
 * A known answer may be "no host" (the last success ran on a host without an ID). Bounded: the repositories used
 * least recently are forgotten first, and a forgotten one is looked up again.
 */
public final class LastHosts {
  /** The answer for one repository: {@code host} null means its last success named no host. */
  public record Known(String host) {}

  private final Map<String, Known> byRepo;

  /** Remembers at most {@code capacity} repositories. */
  public LastHosts(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    this.byRepo = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
        return size() > capacity;
      }
    };
  }

  /** What is known of {@code repo}; empty when nothing is. */
  public synchronized Optional<Known> get(String repo) {
    return Optional.ofNullable(byRepo.get(repo));
  }

  /** A success of {@code repo} on {@code host} (null: a host without an ID): the newest answer. */
  public synchronized void succeeded(String repo, String host) {
    byRepo.put(repo, new Known(host));
  }

  /**
   * What a visibility lookup found: kept unless a result arrived meanwhile (a result is newer than any lookup
   * that started before it was applied).
   */
  public synchronized void lookedUp(String repo, String host) {
    byRepo.putIfAbsent(repo, new Known(host));
  }
}
