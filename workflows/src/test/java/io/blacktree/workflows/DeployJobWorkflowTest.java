package io.blacktree.workflows;

import io.blacktree.testsupport.TestRequests;
import io.blacktree.workflow.api.DeployJobWorkflow;

import io.blacktree.core.BuildReuse;
import io.blacktree.core.JobStatus;
import io.blacktree.core.JobStep;
import static io.blacktree.workflows.DeployJobTestEnvironment.FAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.blacktree.activities.DispatchOutcome;
import io.blacktree.activities.DispatchProgress;
import io.blacktree.activities.DispatchRequest;
import io.blacktree.activities.WorkflowSignalStepNotifier;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.Names;
import io.blacktree.core.ReplyTarget;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeployJobWorkflowTest {
  @RegisterExtension
  static final TestWorkflowExtension ext = DeployJobTestEnvironment.extension();

  static final BuildRequest REQUEST =
      TestRequests.of("acme/app", "main", "v1.0.3", "123456789012", "app-images").withRegion("us-east-1");

  private final FakePublish publish = new FakePublish();

  private DeployJobWorkflow start(TestWorkflowEnvironment env, Worker worker, DeployJobOptions options,
      FakeDispatch dispatch) {
    if (dispatch != null) {
      env.newWorker(options.dispatchTaskQueue(), FAST).registerActivitiesImplementations(dispatch);
    }
    return DeployJobTestEnvironment.start(env, worker, options, REQUEST, publish);
  }

  private static DeployJobOptions options() {
    return OrchestratorConfig.builder().dispatchTaskQueue("test-dispatch").affinityWait(Duration.ZERO).build()
        .workflowOptions();
  }

  static DeployJobWorkflow.DeployJobInput inputForHistories() {
    return input();
  }

  private static DeployJobWorkflow.DeployJobInput input() {
    return new DeployJobWorkflow.DeployJobInput(REQUEST, List.of(new ReplyTarget("reply.q", "corr-1")));
  }

  @Test
  void run_workerSucceeds_returnsResultAndPublishesSuccess(TestWorkflowEnvironment env, Worker worker) {
    FakeDispatch dispatch = new FakeDispatch(FakeDispatch.succeed("w1:1"));
    DeployJobWorkflow wf = start(env, worker, options(), dispatch);

    DeployResult result = wf.run(input());

    assertThat(result.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(result.imageUrl()).isEqualTo("127.0.0.1:5000/app-images:v1.0.3");
    assertThat(result.attempts()).isEqualTo(1);
    assertThat(result.worker()).isEqualTo("w1:1");
    assertThat(result.logs()).contains("Successfully built");
    assertThat(result.reuse()).as("the worker's reuse summary, registry cache count included")
        .isEqualTo(new BuildReuse(2, 1, 1, 1, true, false));
    assertThat(dispatch.calls()).singleElement().satisfies(r -> {
      assertThat(r.jobId()).startsWith(Names.workflowId(REQUEST, "us-east-1") + "/").endsWith("/1");
      assertThat(r.timeLimitSeconds()).isEqualTo(1800);
    });
    assertThat(publish.published).singleElement().satisfies(p -> {
      assertThat(p.result().status()).isEqualTo(JobStatus.SUCCESS);
      assertThat(p.result().reuse().remoteCachedBuildSteps()).isEqualTo(1);
      assertThat(p.replyTargets()).containsExactly(new ReplyTarget("reply.q", "corr-1"));
    });
  }

  @Test
  void run_permanentFailure_failsWithKindAndIsNotRetried(TestWorkflowEnvironment env, Worker worker) {
    FakeDispatch dispatch = new FakeDispatch(
        FakeDispatch.fail(ErrorKind.BUILD_FAILED, "w1:1", "RUN false\nreturned a non-zero code: 1\n"));
    DeployJobWorkflow wf = start(env, worker, options(), dispatch);

    WorkflowFailedException e = catchThrowableOfType(WorkflowFailedException.class, () -> wf.run(input()));

    ApplicationFailure failure = (ApplicationFailure) e.getCause();
    assertThat(failure.getType()).isEqualTo("BUILD_FAILED");
    DeployResult result = failure.getDetails().get(DeployResult.class);
    assertThat(result.status()).isEqualTo(JobStatus.FAILED);
    assertThat(result.errorKind()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(result.logs()).contains("non-zero code");
    assertThat(dispatch.calls()).hasSize(1);
    assertThat(publish.published).singleElement()
        .satisfies(p -> assertThat(p.result().status()).isEqualTo(JobStatus.FAILED));
  }

  @Test
  void run_transientFailureThenSuccess_retriesAvoidingFailedWorker(TestWorkflowEnvironment env, Worker worker) {
    FakeDispatch dispatch = new FakeDispatch(
        FakeDispatch.fail(ErrorKind.DOCKER_UNAVAILABLE, "w1:1", "daemon gone"), FakeDispatch.succeed("w2:2"));
    DeployJobWorkflow wf = start(env, worker, options(), dispatch);
    long before = env.currentTimeMillis();

    DeployResult result = wf.run(input());

    assertThat(result.attempts()).isEqualTo(2);
    assertThat(result.worker()).isEqualTo("w2:2");
    List<DispatchRequest> calls = dispatch.calls();
    assertThat(calls.get(0).avoidWorker()).isNull();
    assertThat(calls.get(1).avoidWorker()).isEqualTo("w1:1");
    assertThat(calls.get(1).jobId()).endsWith("/2");
    assertThat(env.currentTimeMillis() - before).isGreaterThanOrEqualTo(10_000);
  }

  @Test
  void run_transientFailuresEveryTime_failsAfterMaxAttempts(TestWorkflowEnvironment env, Worker worker) {
    FakeDispatch dispatch = new FakeDispatch(FakeDispatch.fail(ErrorKind.GIT_UNAVAILABLE, "w1:1", "timeout"));
    DeployJobWorkflow wf = start(env, worker, options(), dispatch);

    WorkflowFailedException e = catchThrowableOfType(WorkflowFailedException.class, () -> wf.run(input()));

    ApplicationFailure failure = (ApplicationFailure) e.getCause();
    assertThat(failure.getType()).isEqualTo("GIT_UNAVAILABLE");
    assertThat(failure.getDetails().get(DeployResult.class).attempts()).isEqualTo(4);
    assertThat(dispatch.calls()).hasSize(4);
  }

  @Test
  void run_totalTimeSpent_stopsBeforeMaxAttempts(TestWorkflowEnvironment env, Worker worker) {
    FakeDispatch dispatch = new FakeDispatch(FakeDispatch.fail(ErrorKind.DISK_FULL, "w1:1", ""));
    DeployJobOptions o = options();
    DeployJobOptions tight = new DeployJobOptions(o.dispatchTaskQueue(), o.jobTimeLimit(), o.queueTtl(),
        o.heartbeatTimeout(), 4, Duration.ofSeconds(25), o.initialBackoff(), o.maxBackoff(), o.publishRetention(), o.affinityWait());
    DeployJobWorkflow wf = start(env, worker, tight, dispatch);

    assertThatThrownBy(() -> wf.run(input())).isInstanceOf(WorkflowFailedException.class);
    // 10 s + 20 s of backoff exceed the 25 s budget: two attempts only
    assertThat(dispatch.calls()).hasSize(2);
  }

  @Test
  void run_noFreeWorkerWithinQueueTtl_failsNoWorker(TestWorkflowEnvironment env, Worker worker) {
    DeployJobOptions o = options();
    // the test server does not skip time for a schedule-to-start timeout: a short real TTL
    DeployJobOptions shortTtl = new DeployJobOptions(o.dispatchTaskQueue(), o.jobTimeLimit(), Duration.ofSeconds(2),
        o.heartbeatTimeout(), o.maxAttempts(), o.totalTime(), o.initialBackoff(), o.maxBackoff(),
        o.publishRetention(), o.affinityWait());
    DeployJobWorkflow wf = start(env, worker, shortTtl, null);

    WorkflowFailedException e = catchThrowableOfType(WorkflowFailedException.class, () -> wf.run(input()));

    ApplicationFailure failure = (ApplicationFailure) e.getCause();
    assertThat(failure.getType()).isEqualTo("NO_WORKER");
    assertThat(publish.published).singleElement()
        .satisfies(p -> assertThat(p.result().errorKind()).isEqualTo(ErrorKind.NO_WORKER));
  }

  @Test
  void run_lostHeartbeat_reattachesSameJobOnSameWorker(TestWorkflowEnvironment env, Worker worker) {
    Function<DispatchRequest, DispatchOutcome> goesSilent = r -> {
      Activity.getExecutionContext().heartbeat(new DispatchProgress("w1:1", r.jobId(), JobStep.BUILDING,
          List.of("Step 2/3"), 7));
      sleep(4000);
      return null;
    };
    FakeDispatch dispatch = new FakeDispatch(goesSilent, FakeDispatch.succeed("w1:1"));
    DeployJobOptions o = options();
    DeployJobOptions shortHeartbeat = new DeployJobOptions(o.dispatchTaskQueue(), o.jobTimeLimit(), o.queueTtl(),
        Duration.ofSeconds(1), o.maxAttempts(), o.totalTime(), o.initialBackoff(), o.maxBackoff(),
        o.publishRetention(), o.affinityWait());
    DeployJobWorkflow wf = start(env, worker, shortHeartbeat, dispatch);

    DeployResult result = wf.run(input());

    assertThat(result.status()).isEqualTo(JobStatus.SUCCESS);
    List<DispatchRequest> calls = dispatch.calls();
    assertThat(calls.get(1).jobId()).isEqualTo(calls.get(0).jobId());
    assertThat(calls.get(1).preferWorker()).isEqualTo("w1:1");
    assertThat(calls.get(1).avoidWorker()).isNull();
  }

  @Test
  void cancel_duringDispatch_waitsForActivityAndPublishesCancelled(TestWorkflowEnvironment env, Worker worker)
      throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    FakeDispatch dispatch = new FakeDispatch(r -> {
      running.countDown();
      try {
        while (true) {
          Activity.getExecutionContext().heartbeat(null);
          sleep(100);
        }
      } catch (ActivityCanceledException e) {
        stopped.countDown();
        throw e;
      }
    });
    DeployJobWorkflow wf = start(env, worker, options(), dispatch);
    WorkflowClient.start(wf::run, input());
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

    WorkflowStub stub = WorkflowStub.fromTyped(wf);
    stub.cancel();

    WorkflowFailedException e = catchThrowableOfType(WorkflowFailedException.class,
        () -> stub.getResult(DeployResult.class));
    assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    assertThat(stopped.getCount()).isZero();
    assertThat(publish.published).singleElement()
        .satisfies(p -> assertThat(p.result().status()).isEqualTo(JobStatus.CANCELLED));
  }

  @Test
  void stepChanged_signalFromActivity_showsInProgressQuery(TestWorkflowEnvironment env, Worker worker)
      throws Exception {
    CountDownLatch signalled = new CountDownLatch(1);
    CountDownLatch checked = new CountDownLatch(1);
    FakeDispatch dispatch = new FakeDispatch(r -> {
      new WorkflowSignalStepNotifier(env.getWorkflowClient())
          .stepChanged(r.workflowId(), r.runId(), r.attempt(), "w1:1", JobStep.BUILDING);
      signalled.countDown();
      await(checked);
      return FakeDispatch.succeed("w1:1").apply(r);
    });
    DeployJobWorkflow wf = start(env, worker, options(), dispatch);
    WorkflowClient.start(wf::run, input());
    assertThat(signalled.await(30, TimeUnit.SECONDS)).isTrue();

    DeployJobWorkflow.Progress progress = null;
    for (int i = 0; i < 100 && (progress == null || progress.step() != JobStep.BUILDING); i++) {
      progress = wf.progress();
      Thread.sleep(100);
    }
    checked.countDown();

    assertThat(progress).isEqualTo(new DeployJobWorkflow.Progress(1, "w1:1", JobStep.BUILDING));
    assertThat(WorkflowStub.fromTyped(wf).getResult(DeployResult.class).status()).isEqualTo(JobStatus.SUCCESS);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
