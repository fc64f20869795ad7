package io.blacktree.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.BuildRequest;
import io.blacktree.proto.worker.v1.JobRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobRequestsTest {
  private static DispatchRequest dispatch(BuildRequest r) {
    return new DispatchRequest(r, "deploy:wf", "run", 1, "deploy:wf/run/1", 60, null, null, 0);
  }

  @Test
  void of_optionalFieldsSet_eachCarriedToTheWorkersRequest() {
    BuildRequest r = new BuildRequest("o/n", "main", "v1", "123456789012", "app", "eu-west-1", "api-1",
        "a".repeat(40), "docker/Dockerfile", "app", "runtime", Map.of("MODE", "prod"), List.of("stable"));

    JobRequest j = JobRequests.of(dispatch(r));

    assertThat(j.getTarget()).isEqualTo("runtime");
    assertThat(j.getDockerfile()).isEqualTo("docker/Dockerfile");
    assertThat(j.getContext()).isEqualTo("app");
    assertThat(j.getRequestId()).isEqualTo("api-1");
    assertThat(j.getBuildArgsMap()).containsEntry("MODE", "prod");
    assertThat(j.getTagsList()).containsExactly("stable");
  }

  @Test
  void of_noTarget_targetLeftUnset() {
    JobRequest j = JobRequests.of(dispatch(BuildRequest.of("o/n", "main", "v1", "123456789012", "app")));

    assertThat(j.getTarget()).isEmpty();
  }
}
