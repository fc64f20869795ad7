package io.blacktree.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Finds the build host a job should be offered to first: the one that last built its repository. Run as a local
 * activity by the workflow, so the answer is recorded in history and replays unchanged.
 */
@ActivityInterface
public interface AffinityActivities {

  /**
   * The build host that last built {@code repo} (the request's {@code repo_url}) successfully; null when no such job
   * names a host, or when visibility cannot be read (affinity is an optimisation: it never fails a job).
   */
  @ActivityMethod(name = "AffinityLastHost")
  String lastHost(String repo);
}
