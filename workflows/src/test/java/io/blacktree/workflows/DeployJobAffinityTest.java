package io.blacktree.workflows;

import static io.blacktree.workflows.DeployJobTestEnvironment.FAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.blacktree.activities.AffinityActivities;
import io.blacktree.core.Affinity;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.JobStatus;
import io.blacktree.core.Names;
import io.blacktree.workflow.api.DeployJobWorkflow;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cache-affinity dispatch in the workflow (docs/workflow.md, cache affinity): the first attempt is offered to the
 * host that last built the repository, on that host's own queue; a host that does not take it in time sends it to
 * the shared queue without counting an attempt; the result and the memo say hit, miss or none.
 */
class DeployJobAffinityTest {
  @RegisterExtension
  static final TestWorkflowExtension ext = DeployJobTestEnvironment.extension();

  private static final String SHARED = "test-dispatch";
  private static final String HOST_A = Names.hostDispatchQueue(SHARED, "host-a");

  private final FakePublish publish = new FakePublish();
  private final FixedRoute routes = new FixedRoute();

  /** The affinity lookup, answering what the test says. */
  static final class FixedRoute implements AffinityActivities {
    String answer;
    final List<String> asked = new ArrayList<>();

    @Override
    public synchronized String lastHost(String repo) {
      asked.add(repo);
      return answer;
    }
  }

  private long waitMillis = 10_000;

  private DeployJobWorkflow start(TestWorkflowEnvironment env, Worker worker, FakeDispatch shared,
      FakeDispatch onHostA) {
    DeployJobOptions options = OrchestratorConfig.builder().dispatchTaskQueue(SHARED)
        .affinityWait(Duration.ofMillis(waitMillis)).build().workflowOptions();
    env.newWorker(SHARED, FAST).registerActivitiesImplementations(shared);
    if (onHostA != null) {
      env.newWorker(HOST_A, FAST).registerActivitiesImplementations(onHostA);
    }
    return DeployJobTestEnvironment.start(env, worker, options, DeployJobWorkflowTest.REQUEST, publish, routes);
  }

  @Test
  void run_affinityHostFree_runsThereAndSaysHit(TestWorkflowEnvironment env, Worker worker) {
    routes.answer = "host-a";
    FakeDispatch shared = new FakeDispatch(FakeDispatch.succeed("w2:2"));
    FakeDispatch onHostA = new FakeDispatch(FakeDispatch.succeedOn("w1:1", "host-a"));
    DeployJobWorkflow wf = start(env, worker, shared, onHostA);

    DeployResult result = wf.run(DeployJobWorkflowTest.inputForHistories());

    assertThat(result.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(result.worker()).isEqualTo("w1:1");
    assertThat(result.attempts()).isEqualTo(1);
    assertThat(result.affinity()).isEqualTo(new Affinity(Affinity.Outcome.HIT, "host-a", "host-a"));
    assertThat(routes.asked).containsExactly("acme/app");
    assertThat(shared.calls()).isEmpty();
    assertThat(onHostA.calls()).singleElement().satisfies(r -> {
      assertThat(r.attempt()).isEqualTo(1);
      assertThat(r.hostWaitMillis()).isEqualTo(10_000);
    });
    assertThat(memo(env, "affinity")).isEqualTo("hit");
    assertThat(memo(env, Names.MEMO_HOST)).isEqualTo("host-a");
    assertThat(publish.published).singleElement()
        .satisfies(p -> assertThat(p.result().affinity().outcome()).isEqualTo(Affinity.Outcome.HIT));
  }

  @Test
  void run_affinityHostNotPolling_goesToSharedQueueOnAttemptOneAndSaysMiss(TestWorkflowEnvironment env,
      Worker worker) {
    // the test server does not skip time for a schedule-to-start timeout: a short real wait
    routes.answer = "host-a";
    waitMillis = 1_000;
    FakeDispatch shared = new FakeDispatch(FakeDispatch.succeed("w2:2"));
    DeployJobWorkflow wf = start(env, worker, shared, null);

    DeployResult result = wf.run(DeployJobWorkflowTest.inputForHistories());

    assertThat(result.worker()).isEqualTo("w2:2");
    assertThat(result.attempts()).isEqualTo(1);
    assertThat(result.affinity().outcome()).isEqualTo(Affinity.Outcome.MISS);
    assertThat(result.affinity().preferredHost()).isEqualTo("host-a");
    assertThat(shared.calls()).singleElement().satisfies(r -> {
      assertThat(r.attempt()).isEqualTo(1);
      assertThat(r.jobId()).endsWith("/1");
      assertThat(r.hostWaitMillis()).isZero();
    });
    assertThat(memo(env, "affinity")).isEqualTo("miss");
  }

  @Test
  void run_affinityHostBusyThroughTheWait_goesToSharedQueueWithoutBurningAnAttempt(TestWorkflowEnvironment env,
      Worker worker) {
    routes.answer = "host-a";
    FakeDispatch shared = new FakeDispatch(FakeDispatch.succeed("w2:2"));
    FakeDispatch onHostA = new FakeDispatch(FakeDispatch.fail(ErrorKind.WORKER_BUSY, null, ""));
    DeployJobWorkflow wf = start(env, worker, shared, onHostA);

    DeployResult result = wf.run(DeployJobWorkflowTest.inputForHistories());

    assertThat(result.attempts()).isEqualTo(1);
    assertThat(result.affinity().outcome()).isEqualTo(Affinity.Outcome.MISS);
    assertThat(shared.calls()).singleElement().satisfies(r -> assertThat(r.attempt()).isEqualTo(1));
    // no backoff between the offer and the shared dispatch
    assertThat(env.getWorkflowClient().fetchHistory(Names.workflowId(DeployJobWorkflowTest.REQUEST, "us-east-1"))
        .getEvents()).noneMatch(e -> e.getEventType() == EventType.EVENT_TYPE_TIMER_STARTED);
  }

  @Test
  void run_failsOnAffinityHost_countsTheAttemptAndRetriesOnSharedQueue(TestWorkflowEnvironment env, Worker worker) {
    routes.answer = "host-a";
    FakeDispatch shared = new FakeDispatch(FakeDispatch.succeed("w2:2"));
    FakeDispatch onHostA = new FakeDispatch(FakeDispatch.fail(ErrorKind.DOCKER_UNAVAILABLE, "w1:1", "daemon gone"));
    DeployJobWorkflow wf = start(env, worker, shared, onHostA);

    DeployResult result = wf.run(DeployJobWorkflowTest.inputForHistories());

    assertThat(result.attempts()).isEqualTo(2);
    assertThat(result.affinity().outcome()).isEqualTo(Affinity.Outcome.HIT);
    assertThat(shared.calls()).singleElement().satisfies(r -> {
      assertThat(r.attempt()).isEqualTo(2);
      assertThat(r.avoidWorker()).isEqualTo("w1:1");
    });
  }

  @Test
  void run_permanentFailureOnAffinityHost_resultCarriesAffinity(TestWorkflowEnvironment env, Worker worker) {
    routes.answer = "host-a";
    FakeDispatch onHostA = new FakeDispatch(FakeDispatch.fail(ErrorKind.BUILD_FAILED, "w1:1", "RUN false\n"));
    DeployJobWorkflow wf = start(env, worker, new FakeDispatch(FakeDispatch.succeed("w2:2")), onHostA);

    WorkflowFailedException e = catchThrowableOfType(WorkflowFailedException.class,
        () -> wf.run(DeployJobWorkflowTest.inputForHistories()));

    DeployResult result = ((ApplicationFailure) e.getCause()).getDetails().get(DeployResult.class);
    assertThat(result.errorKind()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(result.affinity()).isEqualTo(new Affinity(Affinity.Outcome.HIT, "host-a", null));
  }

  @Test
  void run_noAffinityHost_sharedQueueOnlyAndSaysNone(TestWorkflowEnvironment env, Worker worker) {
    FakeDispatch shared = new FakeDispatch(FakeDispatch.succeed("w2:2"));
    FakeDispatch onHostA = new FakeDispatch(FakeDispatch.succeed("w1:1"));
    DeployJobWorkflow wf = start(env, worker, shared, onHostA);

    DeployResult result = wf.run(DeployJobWorkflowTest.inputForHistories());

    assertThat(result.affinity()).isEqualTo(new Affinity(Affinity.Outcome.NONE, null, "host-1"));
    assertThat(onHostA.calls()).isEmpty();
    assertThat(memo(env, Names.MEMO_HOST)).isEqualTo("host-1");
  }

  @Test
  void run_affinityWaitZero_noLookupAndSaysNone(TestWorkflowEnvironment env, Worker worker) {
    routes.answer = "host-a";
    waitMillis = 0;
    FakeDispatch shared = new FakeDispatch(FakeDispatch.succeed("w2:2"));
    FakeDispatch onHostA = new FakeDispatch(FakeDispatch.succeed("w1:1"));
    DeployJobWorkflow wf = start(env, worker, shared, onHostA);

    DeployResult result = wf.run(DeployJobWorkflowTest.inputForHistories());

    assertThat(result.affinity().outcome()).isEqualTo(Affinity.Outcome.NONE);
    assertThat(routes.asked).isEmpty();
    assertThat(onHostA.calls()).isEmpty();
  }

  @Test
  void run_sharedDispatchReachedNoWorker_sentAgainWithoutCountingAnAttempt(TestWorkflowEnvironment env,
      Worker worker) {
    FakeDispatch shared = new FakeDispatch(FakeDispatch.fail(ErrorKind.WORKER_BUSY, null, ""),
        FakeDispatch.succeed("w2:2"));
    DeployJobWorkflow wf = start(env, worker, shared, null);

    DeployResult result = wf.run(DeployJobWorkflowTest.inputForHistories());

    assertThat(result.attempts()).isEqualTo(1);
    assertThat(shared.calls()).extracting(r -> r.attempt()).containsExactly(1, 1);
  }

  @Test
  void run_sharedDispatchReachesNoWorkerEveryTime_countsAsAnAttemptAfterTheBound(TestWorkflowEnvironment env,
      Worker worker) {
    FakeDispatch shared = new FakeDispatch(FakeDispatch.fail(ErrorKind.WORKER_BUSY, null, ""));
    DeployJobWorkflow wf = start(env, worker, shared, null);

    WorkflowFailedException e = catchThrowableOfType(WorkflowFailedException.class,
        () -> wf.run(DeployJobWorkflowTest.inputForHistories()));

    DeployResult result = ((ApplicationFailure) e.getCause()).getDetails().get(DeployResult.class);
    assertThat(result.attempts()).isEqualTo(4);
    assertThat(shared.calls()).hasSize(4 * (Dispatcher.MAX_UNCLAIMED_REDISPATCHES + 1));
  }

  private static String memo(TestWorkflowEnvironment env, String key) {
    return DeployJobTestEnvironment.describe(env, DeployJobWorkflowTest.REQUEST).getMemo(key, String.class, String.class);
  }
}
