package io.blacktree.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.BuildRequest;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.testsupport.TestRequests;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtoJobRequestsTest {
  private static final BuildRequest REQUEST = new BuildRequest("acme/app", "main", "v1", "123456789012", "app",
      "us-east-1", "req-1", "0123456789abcdef0123456789abcdef01234567", "docker/Dockerfile", "src", "runtime",
      Map.of("MODE", "prod"), List.of("latest"));

  @Test
  void fromDispatch_everyFieldOfTheRequestAndTheAttempt() {
    JobRequest r = ProtoJobRequests.fromDispatch(
        new DispatchRequest(REQUEST, "deploy:x", "run-1", 2, 2, 600, null, null, 0));

    assertThat(r.getRepoUrl()).isEqualTo("acme/app");
    assertThat(r.getBranch()).isEqualTo("main");
    assertThat(r.getDeploymentVersion()).isEqualTo("v1");
    assertThat(r.getAwsAccountId()).isEqualTo("123456789012");
    assertThat(r.getEcrRepo()).isEqualTo("app");
    assertThat(r.getRegion()).isEqualTo("us-east-1");
    assertThat(r.getRequestId()).isEqualTo("req-1");
    assertThat(r.getCommit()).isEqualTo("0123456789abcdef0123456789abcdef01234567");
    assertThat(r.getDockerfile()).isEqualTo("docker/Dockerfile");
    assertThat(r.getContext()).isEqualTo("src");
    assertThat(r.getTarget()).isEqualTo("runtime");
    assertThat(r.getBuildArgsMap()).containsExactly(Map.entry("MODE", "prod"));
    assertThat(r.getTagsList()).containsExactly("latest");
    assertThat(r.getWorkflowId()).isEqualTo("deploy:x");
    assertThat(r.getTimeLimitSeconds()).isEqualTo(600);
    assertThat(r.getAttempt()).isEqualTo(2);
  }

  @Test
  void fromDispatch_jobIdKeepsThePreviousForm_soAnOlderWorkerStillReadsTheAttempt() {
    JobRequest r = ProtoJobRequests.fromDispatch(
        new DispatchRequest(REQUEST, "deploy:x", "run-1", 2, 2, 600, null, null, 0));

    assertThat(r.getJobId()).isEqualTo("deploy:x/run-1/2");
  }

  @Test
  void fromDispatch_reattach_theEarlierAttemptsJob() {
    DispatchRequest d = new DispatchRequest(REQUEST, "deploy:x", "run-1", 3, 2, 600, "w1:1", null, 0);

    JobRequest r = ProtoJobRequests.fromDispatch(d);

    assertThat(r.getJobId()).isEqualTo("deploy:x/run-1/2");
    assertThat(r.getAttempt()).isEqualTo(2);
    assertThat(d.attempt()).isEqualTo(3);
  }

  @Test
  void fromDispatch_jobAttemptNotSet_theDispatchsAttempt() {
    JobRequest r = ProtoJobRequests.fromDispatch(
        new DispatchRequest(REQUEST, "deploy:x", "run-1", 4, 0, 600, null, null, 0));

    assertThat(r.getJobId()).isEqualTo("deploy:x/run-1/4");
    assertThat(r.getAttempt()).isEqualTo(4);
  }

  @Test
  void fromDispatch_optionalFieldsAbsent_leftEmpty() {
    JobRequest r = ProtoJobRequests.fromDispatch(new DispatchRequest(
        TestRequests.of("acme/app", "main", "v1", "123456789012", "app").withRegion("us-east-1"),
        "deploy:x", "run-1", 1, 1, 600, null, null, 0));

    assertThat(r.getCommit()).isEmpty();
    assertThat(r.getDockerfile()).isEmpty();
    assertThat(r.getTarget()).isEmpty();
    assertThat(r.getRequestId()).isEmpty();
    assertThat(r.getBuildArgsCount()).isZero();
    assertThat(r.getTagsCount()).isZero();
  }
}
