package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.WatchJobRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the wire, with the plain generated stubs over a real port. */
class WorkerWireIT {
  @TempDir Path dir;

  @Test
  void wire_healthStatusWatchWithKeepalivesAndResume() throws Exception {
    GitRepos repos = WorkerFixture.repos(dir);
    String repo = unique("wire");
    repos.create(repo, "main", app(repo, "RUN [\"/bin/busybox\", \"sleep\", \"7\"]\n"));
    try (GitDaemonServer daemon = GitDaemonServer.start(repos.baseDir());
         WorkerFixture w = WorkerFixture.start(dir.resolve("w"), daemon.baseUrl())) {
      HealthCheckResponse health = HealthGrpc.newBlockingStub(w.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(WorkerGrpc.SERVICE_NAME).build());
      assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      WorkerStatus free = w.stub(5).getStatus(GetStatusRequest.getDefaultInstance());
      assertThat(free.getState()).isEqualTo(WorkerState.FREE);
      assertThat(free.getWorkerId()).isEqualTo("it-worker");
      assertThat(free.getVersion()).isNotEmpty();

      StatusRuntimeException unknown = catchThrowableOfType(() -> w.stub(5)
          .watchJob(WatchJobRequest.newBuilder().setJobId("nope").build()).hasNext(), StatusRuntimeException.class);
      assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);

      JobRequest req = request(repo, "main", "v1").build();
      CompletableFuture<JobResponse> run = CompletableFuture.supplyAsync(() -> w.stub(300).runJob(req));
      long end = System.currentTimeMillis() + 30_000;
      while (w.stub(5).getStatus(GetStatusRequest.getDefaultInstance()).getState() != WorkerState.BUSY) {
        assertThat(System.currentTimeMillis()).isLessThan(end);
        Thread.sleep(20);
      }
      List<JobEvent> live = new ArrayList<>();
      Iterator<JobEvent> it = w.stub(300).watchJob(WatchJobRequest.newBuilder().setJobId(req.getJobId()).build());
      it.forEachRemaining(live::add);
      JobResponse r = run.get(300, TimeUnit.SECONDS);

      assertThat(live.get(live.size() - 1).hasFinal()).isTrue();
      assertThat(live.get(live.size() - 1).getFinal()).isEqualTo(r);
      assertThat(live).anyMatch(JobEvent::hasKeepalive);
      assertThat(live).anyMatch(JobEvent::hasLog);
      List<Long> seqs = live.stream().filter(e -> !e.hasKeepalive()).map(JobEvent::getSequence).toList();
      assertThat(seqs).isSorted().doesNotHaveDuplicates();

      long from = seqs.get(seqs.size() / 2);
      List<JobEvent> resumed = new ArrayList<>();
      w.stub(30).watchJob(WatchJobRequest.newBuilder().setJobId(req.getJobId()).setFromSequence(from).build())
          .forEachRemaining(resumed::add);
      assertThat(resumed.get(0).getSequence()).isEqualTo(from);
      assertThat(resumed).allMatch(e -> e.getSequence() >= from);
      assertThat(resumed.get(resumed.size() - 1).getFinal()).isEqualTo(r);
    }
  }
}
