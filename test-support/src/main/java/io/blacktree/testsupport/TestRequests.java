package io.blacktree.testsupport;

import io.blacktree.core.BuildRequest;

/** Build requests as tests write them: the five required fields, optionally the region and a request id. */
public final class TestRequests {
  private TestRequests() {}

  /** The required fields; every optional one absent. */
  public static BuildRequest of(String repoUrl, String branch, String deploymentVersion, String awsAccount,
      String ecrRepo) {
    return of(repoUrl, branch, deploymentVersion, awsAccount, ecrRepo, null, null);
  }

  /** The required fields, {@code region} and {@code requestId} (null = absent). */
  public static BuildRequest of(String repoUrl, String branch, String deploymentVersion, String awsAccount,
      String ecrRepo, String region, String requestId) {
    return new BuildRequest(repoUrl, branch, deploymentVersion, awsAccount, ecrRepo, region, requestId, null, null,
        null, null, null, null);
  }
}
