package io.blacktree.activities;

/**
 * Where a job's first dispatch is offered (docs/workflow.md, cache affinity).
 *
 * @param host       the build host that last built the job's repository; null when none did, or affinity is off
 * @param waitMillis how long that host may take to start the job before it goes to any free host; 0 when off
 */
public record AffinityRoute(String host, long waitMillis) {

  /** No affinity host: the job goes to any free host at once. */
  public static AffinityRoute none() {
    return new AffinityRoute(null, 0);
  }

  /** There is a host to offer the job to first. */
  public boolean hasHost() {
    return host != null && waitMillis > 0;
  }
}
