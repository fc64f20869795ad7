package io.blacktree.cli;

import io.blacktree.core.JobStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import org.junit.jupiter.api.Test;

class JobFollowerTest {

  private static DeployResult result(JobStatus status, int attempts, String worker, ErrorKind kind) {
    return new DeployResult(status, "deploy:1:r:e:v", null, null, null, null, null, worker, attempts, null, kind,
        null, "", null, null, null);
  }

  @Test
  void finalLine_failedJob_namesAttemptKindAndWorker() {
    assertThat(JobFollower.finalLine(result(JobStatus.FAILED, 4, "b1:50051", ErrorKind.BUILD_FAILED)))
        .isEqualTo("attempt 4: failed (BUILD_FAILED) on b1:50051");
  }

  @Test
  void finalLine_rejectedRequest_noAttempt() {
    assertThat(JobFollower.finalLine(result(JobStatus.REJECTED, 0, null, ErrorKind.INVALID_REQUEST)))
        .isEqualTo("rejected");
  }

  @Test
  void finalLine_cancelledJob_saysCancelled() {
    assertThat(JobFollower.finalLine(result(JobStatus.CANCELLED, 1, "b1:50051", null)))
        .isEqualTo("attempt 1: cancelled on b1:50051");
  }
}
