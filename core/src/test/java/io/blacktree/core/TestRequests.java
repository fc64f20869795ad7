package io.blacktree.core;

/** Build requests as this module's tests write them (test-support has the same for the other modules). */
final class TestRequests {
  private TestRequests() {}

  /** The required fields; every optional one absent. */
  static BuildRequest of(String repoUrl, String branch, String deploymentVersion, String awsAccount,
      String ecrRepo) {
    return new BuildRequest(repoUrl, branch, deploymentVersion, awsAccount, ecrRepo, null, null, null, null, null,
        null, null, null);
  }
}
