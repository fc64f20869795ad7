package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.CancelJobRequest;
import io.blacktree.proto.worker.v1.CancelJobResponse;
import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.proto.worker.v1.WorkerState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** CancelJob mid-build: CANCELLED, the build container gone, the worker FREE. */
class WorkerCancelIT extends WorkerItBase {
  @Test
  void cancelJob_midBuild_cancelledNoContainerLeftWorkerFree() throws Exception {
    String repo = unique("cancel");
    String marker = "5" + (System.nanoTime() % 1000);
    repos.create(repo, "main", app(repo, "RUN [\"/bin/busybox\", \"sleep\", \"" + marker + "\"]\n"));
    JobRequest req = request(repo, "main", "v1").build();
    CompletableFuture<JobResponse> running = CompletableFuture.supplyAsync(() -> worker.stub(300).runJob(req));
    long end = System.currentTimeMillis() + 60_000;
    while (WorkerFixture.containersWith("sleep " + marker).isEmpty()) {
      assertThat(System.currentTimeMillis()).as("build container started").isLessThan(end);
      Thread.sleep(100);
    }

    CancelJobResponse c = worker.stub(120).cancelJob(CancelJobRequest.newBuilder().setJobId(req.getJobId()).build());

    assertThat(c.getCancelled()).isTrue();
    assertThat(c.getFinal().getStatus()).isEqualTo(JobResponse.Status.CANCELLED);
    assertThat(c.getFinal().getErrorKind()).isEqualTo(ErrorKind.CANCELLED);
    assertThat(worker.stub(5).getStatus(GetStatusRequest.getDefaultInstance()).getState()).isEqualTo(WorkerState.FREE);
    assertThat(running.get(60, TimeUnit.SECONDS).getStatus()).isEqualTo(JobResponse.Status.CANCELLED);
    WorkerErrorKindsIT.awaitNoContainer("sleep " + marker);
    worker.assertNoWorkspace();
    assertThat(c.getFinal().getStepDurationsList()).anyMatch(d -> d.getStep() == Step.BUILDING);

    CancelJobResponse again = worker.stub(30).cancelJob(CancelJobRequest.newBuilder().setJobId(req.getJobId()).build());
    assertThat(again.getCancelled()).isFalse();
    assertThat(again.getFinal().getStatus()).isEqualTo(JobResponse.Status.CANCELLED);
  }
}
