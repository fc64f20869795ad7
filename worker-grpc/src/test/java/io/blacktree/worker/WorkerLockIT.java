package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.proto.worker.v1.WorkerState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The one-job lock, idempotency by job_id, re-attach after a dropped caller, the orphan grace period, and the next
 * job sent while the last one removes its workspace.
 */
class WorkerLockIT extends WorkerItBase {
  /** A repo whose build takes a few seconds. */
  static String slowRepo(String prefix, int seconds) {
    String repo = unique(prefix);
    repos.create(repo, "main", app(repo, "RUN [\"/bin/busybox\", \"sleep\", \"" + seconds + "\"]\n"));
    return repo;
  }

  static void awaitStep(Step step) throws InterruptedException {
    long end = System.currentTimeMillis() + 60_000;
    while (worker.stub(5).getStatus(GetStatusRequest.getDefaultInstance()).getStep() != step) {
      assertThat(System.currentTimeMillis()).as("step " + step + " within 60 s").isLessThan(end);
      Thread.sleep(50);
    }
  }

  static long buildsStarted(List<JobEvent> events) {
    return events.stream().filter(e -> e.hasStepStarted() && e.getStepStarted().getStep() == Step.BUILDING).count();
  }

  @Test
  void runJob_twoJobsAtOnce_secondGetsResourceExhaustedNamingTheFirst() throws Exception {
    JobRequest a = request(slowRepo("locka", 4), "main", "v1").build();
    JobRequest b = request(slowRepo("lockb", 1), "main", "v1").build();
    CompletableFuture<JobResponse> first = CompletableFuture.supplyAsync(() -> worker.stub(300).runJob(a));
    awaitStep(Step.BUILDING);

    StatusRuntimeException e = catchThrowableOfType(() -> worker.stub(30).runJob(b), StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).contains(a.getJobId());
    assertThat(first.get(300, TimeUnit.SECONDS).getStatus()).isEqualTo(JobResponse.Status.SUCCESS);
    worker.awaitFree();
  }

  @Test
  void runJob_sameJobIdTwice_oneBuildBothGetItsResponse() throws Exception {
    JobRequest a = request(slowRepo("same", 3), "main", "v1").build();
    CompletableFuture<JobResponse> first = CompletableFuture.supplyAsync(() -> worker.stub(300).runJob(a));
    awaitStep(Step.BUILDING);
    CompletableFuture<JobResponse> second = CompletableFuture.supplyAsync(() -> worker.stub(300).runJob(a));

    JobResponse r1 = first.get(300, TimeUnit.SECONDS);
    JobResponse r2 = second.get(300, TimeUnit.SECONDS);
    JobResponse r3 = worker.stub(30).runJob(a); // finished: the cached result

    assertThat(r1.getStatus()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(r2).isEqualTo(r1);
    assertThat(r3).isEqualTo(r1);
    assertThat(buildsStarted(worker.events(a.getJobId()))).isEqualTo(1);
    worker.awaitFree();
  }

  @Test
  void runJob_nextJobSentTheMomentTheLastAnswered_waitsForItsWorkspaceRemovalAndRuns() throws Exception {
    String many = unique("manyfiles");
    Map<String, Object> files = app(many);
    for (int i = 0; i < 2_000; i++) {
      files.put("data/d" + i / 100 + "/f" + i + ".txt", "file " + i + "\n");
    }
    repos.create(many, "main", files);
    JobRequest a = request(many, "main", "v1").build();
    JobRequest b = request(slowRepo("afteranswer", 0), "main", "v1").build();

    JobResponse first = worker.stub(300).runJob(a);
    JobResponse second = worker.stub(300).runJob(b);

    assertThat(first.getStatus()).as(first.getErrorMessage() + "\n" + first.getLogs())
        .isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(second.getStatus()).as(second.getErrorMessage() + "\n" + second.getLogs())
        .isEqualTo(JobResponse.Status.SUCCESS);
    worker.assertNoWorkspace();
  }

  @Test
  void runJob_callerDisconnectsMidBuildAndReattaches_oneBuildResultDelivered() throws Exception {
    JobRequest a = request(slowRepo("reattach", 4), "main", "v1").build();
    CompletableFuture<JobResponse> dropped = CompletableFuture.supplyAsync(() -> worker.stub(2).runJob(a));
    StatusRuntimeException e = catchThrowableOfType(() -> {
      try {
        dropped.join();
      } catch (java.util.concurrent.CompletionException ce) {
        throw ce.getCause();
      }
    }, StatusRuntimeException.class);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(worker.stub(5).getStatus(GetStatusRequest.getDefaultInstance()).getState()).isEqualTo(WorkerState.BUSY);

    JobResponse r = worker.stub(300).runJob(a);

    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(buildsStarted(worker.events(a.getJobId()))).isEqualTo(1);
    worker.awaitFree();
  }

  @Test
  void runJob_callerGoneLongerThanGrace_jobStoppedAsWorkerLostAndWorkerFree() throws Exception {
    JobRequest a = request(slowRepo("orphan", 60), "main", "v1").build();
    CompletableFuture<JobResponse> dropped = CompletableFuture.supplyAsync(() -> worker.stub(3).runJob(a));
    assertThat(dropped).failsWithin(30, TimeUnit.SECONDS);

    worker.awaitFree(); // grace is 3 s in tests

    JobResponse cached = worker.stub(30).runJob(a);
    assertThat(cached.getErrorKind()).as(cached.getLogs()).isEqualTo(ErrorKind.WORKER_LOST);
    assertThat(cached.getRetryable()).isTrue();
    worker.assertNoWorkspace();
  }
}
