package io.blacktree.activities;

import io.blacktree.core.BuildReuse;
import io.blacktree.testsupport.TestRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.LogBuffer;
import io.blacktree.core.SecretRedactor;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import java.util.concurrent.TimeUnit;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DispatchActivitiesImplTest {
  private static final BuildRequest REQUEST =
      TestRequests.of("acme/app", "main", "v1", "123456789012", "app").withRegion("us-east-1");

  private FakeWorker worker;
  private ManagedChannel channel;
  private WorkerPool pool;
  private TestActivityEnvironment env;
  private final List<String> steps = new CopyOnWriteArrayList<>();
  private final List<DispatchProgress> heartbeats = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    worker = new FakeWorker();
    channel = NettyChannelBuilder.forTarget(worker.address()).usePlaintext().build();
    pool = new WorkerPool(List.of(new WorkerPool.WorkerEndpoint(worker.address(), channel)),
        Duration.ofMillis(500), Duration.ofSeconds(2));
    pool.start();
    env = TestActivityEnvironment.newInstance();
    DispatchSettings settings = new DispatchSettings(Duration.ofMillis(300), Duration.ofSeconds(3),
        Duration.ofSeconds(10), Duration.ofSeconds(2));
    env.registerActivitiesImplementations(new DispatchActivitiesImpl(pool,
        (wf, run, attempt, w, step) -> steps.add(step.value()), settings, new SecretRedactor(), DispatchObserver.NONE,
        "host-1"));
    env.setActivityHeartbeatListener(DispatchProgress.class, heartbeats::add);
  }

  @AfterEach
  void tearDown() {
    env.close();
    pool.close();
    channel.shutdownNow();
    worker.close();
  }

  private DispatchActivities stub() {
    return stub(Duration.ofSeconds(20));
  }

  private DispatchActivities stub(Duration heartbeatTimeout) {
    return env.newActivityStub(DispatchActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2)).setHeartbeatTimeout(heartbeatTimeout).build());
  }

  private static DispatchRequest request() {
    return new DispatchRequest(REQUEST, "deploy:x", "run-1", 1, 1, 60, null, null, 0);
  }

  @Test
  void dispatch_workerSucceeds_returnsOutcomeAndReportsSteps() {
    // the SDK sends the first heartbeat at once, later ones at most every 0.8 x the heartbeat timeout: a short
    // timeout and a job longer than that, so a heartbeat with log lines follows the one sent at the claim
    worker.stepMillis = 800;
    DispatchOutcome outcome = stub(Duration.ofSeconds(2)).dispatch(request());

    assertThat(outcome.worker()).isEqualTo(worker.address());
    assertThat(outcome.imageUrl()).isEqualTo("127.0.0.1:5000/app:v1");
    assertThat(outcome.logs()).contains("BUILDING line 2");
    assertThat(outcome.reuse()).as("the worker's reuse summary").isEqualTo(new BuildReuse(3, 2, 1, 1, true, false));
    assertThat(steps).containsSubsequence("cloning", "building", "pushing").doesNotContain("done");
    assertThat(heartbeats).anySatisfy(h -> {
      assertThat(h.worker()).isEqualTo(worker.address());
      assertThat(h.lastLines()).isNotEmpty();
    });
    assertThat(worker.runJobIds).containsExactly("deploy:x/run-1/1");
  }

  @Test
  void dispatch_buildFailsWithHugeLog_throwsTypedNonRetryableWithBoundedLogs() {
    worker.result = JobResponse.newBuilder().setStatus(JobResponse.Status.FAILED)
        .setErrorKind(io.blacktree.proto.worker.v1.ErrorKind.BUILD_FAILED).setErrorMessage("RUN exited 3")
        .setLogs("a build line that goes on\n".repeat(120_000)).build();

    ActivityFailure e = catchThrowableOfType(ActivityFailure.class, () -> stub().dispatch(request()));

    ApplicationFailure app = (ApplicationFailure) e.getCause();
    assertThat(app.getType()).isEqualTo("BUILD_FAILED");
    assertThat(app.isNonRetryable()).isTrue();
    DispatchFailure details = app.getDetails().get(DispatchFailure.class);
    assertThat(details.errorKind()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(details.logs().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(LogBuffer.DEFAULT_MAX_BYTES);
    assertThat(details.logs()).contains("lines dropped");
  }

  @Test
  void dispatch_workerClaimed_firstHeartbeatNamesWorkerBeforeRunJob() {
    List<Integer> runJobsAtHeartbeat = new CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(DispatchProgress.class, h -> {
      heartbeats.add(h);
      runJobsAtHeartbeat.add(worker.runJobIds.size());
    });

    stub().dispatch(request());

    assertThat(runJobsAtHeartbeat).first().isEqualTo(0);
    assertThat(heartbeats.get(0).worker()).isEqualTo(worker.address());
    assertThat(heartbeats.get(0).jobId()).isEqualTo("deploy:x/run-1/1");
  }

  @Test
  void dispatch_connectionDropped_reattachesWithSameJobId() {
    worker.dropFirstCall = true;
    worker.stepMillis = 800;

    DispatchOutcome outcome = stub().dispatch(request());

    assertThat(outcome.imageUrl()).isEqualTo("127.0.0.1:5000/app:v1");
    assertThat(worker.runJobIds).hasSizeGreaterThanOrEqualTo(2).allMatch("deploy:x/run-1/1"::equals);
  }

  @Test
  void dispatch_workerDiesMidJob_throwsWorkerLost() {
    worker.stepMillis = 2000;
    CompletableFuture.runAsync(() -> {
      sleep(1000);
      worker.stop();
    });

    ActivityFailure e = catchThrowableOfType(ActivityFailure.class, () -> stub().dispatch(request()));

    ApplicationFailure app = (ApplicationFailure) e.getCause();
    assertThat(app.getType()).isEqualTo("WORKER_LOST");
    assertThat(app.isNonRetryable()).isFalse();
  }

  @Test
  void dispatch_cancelled_sendsCancelJobAndLeavesWorkerFree() {
    worker.stepMillis = 4000;
    CompletableFuture.runAsync(() -> {
      sleep(1200);
      env.requestCancelActivity();
    });

    // a short heartbeat timeout: the SDK throttles heartbeats (and so sees the cancel) at 0.8 x of it
    // the test environment surfaces the activity's cancellation as a bare CanceledFailure
    assertThatThrownBy(() -> stub(Duration.ofSeconds(2)).dispatch(request())).isInstanceOf(CanceledFailure.class);

    assertThat(worker.cancelled).containsExactly("deploy:x/run-1/1");
    assertThat(WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .getStatus(GetStatusRequest.getDefaultInstance()).getState()).isEqualTo(WorkerState.FREE);
  }

  @Test
  void dispatch_noFreeWorker_throwsWorkerBusy() {
    pool.markUnhealthy(worker.address());

    ActivityFailure e = catchThrowableOfType(ActivityFailure.class, () -> stub().dispatch(request()));

    assertThat(((ApplicationFailure) e.getCause()).getType()).isEqualTo("WORKER_BUSY");
  }

  @Test
  void dispatch_offeredToThisHostWorkerBusyThroughTheWait_throwsWorkerBusyNamingNoWorker() {
    WorkerLease other = pool.claim("another-job", null, null).orElseThrow();

    ActivityFailure e = catchThrowableOfType(ActivityFailure.class, () -> stub().dispatch(request().onHost(600)));
    other.close();

    ApplicationFailure app = (ApplicationFailure) e.getCause();
    assertThat(app.getType()).isEqualTo("WORKER_BUSY");
    assertThat(app.getDetails().get(DispatchFailure.class).worker()).isNull();
    assertThat(app.getOriginalMessage()).contains("host-1 came free within the affinity wait");
  }

  @Test
  void dispatch_offeredToThisHostWorkerFree_runsThereAndNamesTheHost() {
    DispatchOutcome outcome = stub().dispatch(request().onHost(5_000));

    assertThat(outcome.host()).isEqualTo("host-1");
    assertThat(outcome.worker()).isEqualTo(worker.address());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
