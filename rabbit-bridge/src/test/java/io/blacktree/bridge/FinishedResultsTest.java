package io.blacktree.bridge;

import io.blacktree.core.JobStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import org.junit.jupiter.api.Test;

class FinishedResultsTest {
  private static final DeployResult CARRIED = new DeployResult(JobStatus.FAILED, "wf", "r-1", null, null, null,
      null, "w1", 4, null, ErrorKind.TAG_EXISTS, "tag exists", "logs", null, null, null);

  @Test
  void fromFailure_applicationFailureCarryingResult_returnsThatResult() {
    ApplicationFailure failure = ApplicationFailure.newNonRetryableFailure("tag exists", "TAG_EXISTS", CARRIED);

    assertThat(FinishedResults.fromFailure("wf", failure)).isEqualTo(CARRIED);
  }

  @Test
  void fromFailure_applicationFailureWithoutDetails_describesItByType() {
    ApplicationFailure failure = ApplicationFailure.newNonRetryableFailure("no worker", "NO_WORKER");

    DeployResult r = FinishedResults.fromFailure("wf", failure);

    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.errorKind()).isEqualTo(ErrorKind.NO_WORKER);
    assertThat(r.workflowId()).isEqualTo("wf");
  }

  @Test
  void fromFailure_cancelled_returnsCancelledResult() {
    DeployResult r = FinishedResults.fromFailure("wf", new CanceledFailure("cancelled by ops"));

    assertThat(r.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(r.errorKind()).isEqualTo(ErrorKind.CANCELLED);
  }
}
