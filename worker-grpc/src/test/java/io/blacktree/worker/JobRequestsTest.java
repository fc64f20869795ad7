package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.RequestValidator;
import io.blacktree.core.ValidationPolicy;
import io.blacktree.proto.worker.v1.JobRequest;
import org.junit.jupiter.api.Test;

class JobRequestsTest {
  private final JobRequests requests = new JobRequests(new RequestValidator(ValidationPolicy.defaults()));

  private static JobRequest.Builder valid() {
    return JobRequest.newBuilder().setRepoUrl("o/n").setBranch("main").setDeploymentVersion("v1")
        .setAwsAccountId("123456789012").setEcrRepo("app").setJobId("deploy:x/run/1");
  }

  @Test
  void violations_badTarget_namesTargetAsTheProtoDoes() {
    assertThat(requests.violations(valid().setTarget("-o /etc").build()))
        .containsExactly("target: must be a Dockerfile stage name: [A-Za-z][A-Za-z0-9_.-]{0,127}");
  }

  @Test
  void toBuildRequest_targetSetOrNot_carriedOrNull() {
    assertThat(JobRequests.toBuildRequest(valid().setTarget("runtime").build()).target()).isEqualTo("runtime");
    assertThat(JobRequests.toBuildRequest(valid().build()).target()).isNull();
    assertThat(requests.violations(valid().setTarget("runtime").build())).isEmpty();
  }
}
