package io.blacktree.activities;

import java.time.Duration;

/**
 * How the dispatch activity paces itself.
 *
 * @param heartbeatInterval how often it heartbeats (and looks at its calls); default 2 s
 * @param reattachWindow    how long a lost worker may stay unreachable before the attempt is
 *                          {@code WORKER_LOST}; keep it under the worker's orphan grace (2 x heartbeat timeout)
 * @param cancelWait        how long a cancel waits for the worker to be FREE again
 * @param callDeadline      deadline of the short calls (GetStatus, CancelJob's answer, health)
 */
public record DispatchSettings(
    Duration heartbeatInterval, Duration reattachWindow, Duration cancelWait, Duration callDeadline) {
}
