package io.blacktree.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ErrorKindAndNamesTest {

  @Test
  void nonRetryableTypes_arePermanentAndTerminalKinds() {
    assertThat(ErrorKind.nonRetryableTypes()).contains("BUILD_FAILED", "TAG_EXISTS", "CANCELLED", "NO_WORKER")
        .doesNotContain("WORKER_LOST", "DISK_FULL", "GIT_UNAVAILABLE");
  }

  @Test
  void parse_unknownName_isInternal() {
    assertThat(ErrorKind.parse("NOPE")).isEqualTo(ErrorKind.INTERNAL);
    assertThat(ErrorKind.parse(null)).isEqualTo(ErrorKind.INTERNAL);
    assertThat(ErrorKind.parse("TAG_EXISTS")).isEqualTo(ErrorKind.TAG_EXISTS);
  }

  @Test
  void workflowId_defaultRegionFilledIn() {
    BuildRequest r = TestRequests.of("o/n", "main", "v1.0.3", "123456789012", "team/app");
    assertThat(Names.workflowId(r, "eu-west-1")).isEqualTo("deploy:123456789012:eu-west-1:team/app:v1.0.3");
    assertThat(Names.workflowId(r.withRegion("us-east-2"), "eu-west-1"))
        .isEqualTo("deploy:123456789012:us-east-2:team/app:v1.0.3");
    assertThat(Names.jobId("wf", "run", 2)).isEqualTo("wf/run/2");
    assertThatThrownBy(() -> Names.workflowId(r)).isInstanceOf(IllegalArgumentException.class);
    assertThat(Names.workflowId(r.withRegion("us-east-2"))).isEqualTo("deploy:123456789012:us-east-2:team/app:v1.0.3");
  }

  @Test
  void withDefaultRegion_onlyWhenTheRequestHasNone() {
    BuildRequest r = TestRequests.of("o/n", "main", "v1.0.3", "123456789012", "team/app");
    assertThat(r.withDefaultRegion("eu-west-1").region()).isEqualTo("eu-west-1");
    assertThat(r.withRegion("").withDefaultRegion("eu-west-1").region()).isEqualTo("eu-west-1");
    assertThat(r.withRegion("us-east-2").withDefaultRegion("eu-west-1").region()).isEqualTo("us-east-2");
  }
}
