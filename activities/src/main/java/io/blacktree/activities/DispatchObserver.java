package io.blacktree.activities;

import java.time.Duration;

/**
 * Sees each dispatch attempt: how long it waited in the task queue for a free build worker, and how it ended.
 * {@link DispatchMetrics} is one implementation; {@link #composite} calls several. Calls come on the activity
 * thread; an implementation must be quick and must not throw.
 */
public interface DispatchObserver {

  /** Observes nothing. */
  DispatchObserver NONE = new DispatchObserver() {};

  /**
   * How an attempt ended.
   *
   * @param outcome   {@code success}, {@code failure} or {@code cancelled}
   * @param errorKind the {@code ErrorKind} name, {@code none} on success
   * @param worker    the build worker's address, null when none was claimed
   */
  record AttemptEnd(String outcome, String errorKind, String worker, Duration duration) {}

  /** The attempt's activity started after waiting {@code queueWait} since it was scheduled. */
  default void attemptStarted(DispatchRequest request, Duration queueWait) {}

  default void attemptFinished(DispatchRequest request, AttemptEnd end) {}
}
