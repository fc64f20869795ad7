package io.blacktree.workflows;

import io.blacktree.workflow.api.DeployJobStart;
import io.blacktree.workflow.api.DeployJobWorkflow;
import io.blacktree.workflow.api.DeployJobWorkflow.DeployJobInput;

import io.blacktree.core.JobStep;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.TestNamespace;
import io.blacktree.testsupport.TestRequests;
import io.blacktree.core.BuildRequest;
import io.blacktree.activities.AffinityActivities;
import io.blacktree.activities.DispatchProgress;
import io.blacktree.core.Names;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Records the histories {@link DeployJobReplayTest} replays: real runs on the dev server (127.0.0.1:7233)
 * with scripted activities, each job started as every starter starts it ({@link DeployJobStart}, its version
 * unique to the recording). A tool, not a test: from the repository root, with the dev server running,
 * {@code ./mvnw -q -pl workflows test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.blacktree.workflows.HistoryRecorder -Dexec.args=NAME...}, then commit
 * {@code workflows/src/test/resources/histories/NAME.json}. Record only the histories a change adds: the older ones
 * are what earlier code recorded, and replaying them is what proves a change compatible.
 */
final class HistoryRecorder {
  private static final Path OUT = Path.of("workflows/src/test/resources/histories");

  private HistoryRecorder() {}

  public static void main(String[] args) throws Exception {
    new HistoryRecorder().record(List.of(args));
  }

  private void record(List<String> names) throws Exception {
    only = names;
    String prefix = "histrec-" + UUID.randomUUID().toString().substring(0, 8);
    TestNamespace.ensure("127.0.0.1:7233", ServiceEndpoints.fromEnvironment().temporalNamespace());
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:7233").build());
    WorkflowClient client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(ServiceEndpoints.fromEnvironment().temporalNamespace()).build());
    Files.createDirectories(OUT);
    record(client, prefix, "success", new FakeDispatch(FakeDispatch.succeed("w1:1")), false);
    record(client, prefix, "permanent-failure",
        new FakeDispatch(FakeDispatch.fail(ErrorKind.BUILD_FAILED, "w1:1", "returned a non-zero code: 1\n")), false);
    record(client, prefix, "transient-then-success", new FakeDispatch(
        FakeDispatch.fail(ErrorKind.DOCKER_UNAVAILABLE, "w1:1", "daemon gone\n"), FakeDispatch.succeed("w2:2")), false);
    CountDownLatch running = new CountDownLatch(1);
    record(client, prefix, "cancellation", new FakeDispatch(r -> {
      running.countDown();
      try {
        while (true) {
          Activity.getExecutionContext().heartbeat(
              new DispatchProgress("w1:1", r.jobId(), JobStep.BUILDING, List.of("Step 1/2"), 3));
          Thread.sleep(200);
        }
      } catch (ActivityCanceledException e) {
        throw e;
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }), true);
    record(client, prefix, "affinity-hit", new FakeDispatch(FakeDispatch.succeed("w2:2")),
        new FakeDispatch(FakeDispatch.succeedOn("w1:1", "host-a")), false);
    record(client, prefix, "affinity-miss", new FakeDispatch(FakeDispatch.succeed("w2:2")),
        new FakeDispatch(FakeDispatch.fail(ErrorKind.WORKER_BUSY, null, "")), false);
    record(client, prefix, "start-tags-on-start-request", new FakeDispatch(FakeDispatch.succeed("w1:1")), false);
    service.shutdown();
  }

  private List<String> only = List.of();

  private void record(WorkflowClient client, String prefix, String name, FakeDispatch dispatch, boolean cancel)
      throws Exception {
    record(client, prefix, name, dispatch, null, cancel);
  }

  /** One run; {@code onHost} non-null: affinity on, the last host {@code host-a}, whose own queue runs it. */
  private void record(WorkflowClient client, String prefix, String name, FakeDispatch dispatch, FakeDispatch onHost,
      boolean cancel) throws Exception {
    if (!only.isEmpty() && !only.contains(name)) {
      return;
    }
    String queue = prefix + "-" + name;
    DeployJobOptions o = OrchestratorConfig.builder().dispatchTaskQueue(queue + "-dispatch").build()
        .workflowOptions();
    DeployJobOptions fast = new DeployJobOptions(o.dispatchTaskQueue(), o.jobTimeLimit(), o.queueTtl(),
        o.heartbeatTimeout(), o.maxAttempts(), o.totalTime(), Duration.ofSeconds(1), o.maxBackoff(),
        o.publishRetention(), onHost == null ? Duration.ZERO : Duration.ofSeconds(5));
    WorkerFactory factory = WorkerFactory.newInstance(client);
    WorkerOptions wo = WorkerOptions.newBuilder().setMaxHeartbeatThrottleInterval(Duration.ofMillis(500)).build();
    Worker w = factory.newWorker(queue, wo);
    w.registerWorkflowImplementationFactory(DeployJobWorkflow.class, () -> new DeployJobWorkflowImpl(fast));
    w.registerActivitiesImplementations(new FakePublish());
    factory.newWorker(o.dispatchTaskQueue(), wo).registerActivitiesImplementations(dispatch);
    if (onHost != null) {
      w.registerActivitiesImplementations((AffinityActivities) repo -> "host-a");
      factory.newWorker(Names.hostDispatchQueue(o.dispatchTaskQueue(), "host-a"), wo)
          .registerActivitiesImplementations(onHost);
    }
    factory.start();
    DeployJobInput input = DeployJobWorkflowTest.inputForHistories();
    BuildRequest request = TestRequests.of(input.request().repoUrl(), input.request().branch(), prefix + "-" + name,
        input.request().awsAccount(), input.request().ecrRepo(), input.request().region(), null);
    DeployJobWorkflow wf = client.newWorkflowStub(DeployJobWorkflow.class, DeployJobStart.options(request, queue));
    WorkflowClient.start(wf::run, new DeployJobInput(request, input.replyTargets()));
    String id = Names.workflowId(request);
    WorkflowStub stub = WorkflowStub.fromTyped(wf);
    if (cancel) {
      while (dispatch.calls().isEmpty()) {
        TimeUnit.MILLISECONDS.sleep(100);
      }
      TimeUnit.SECONDS.sleep(2);
      stub.cancel();
    }
    try {
      stub.getResult(60, TimeUnit.SECONDS, DeployResult.class);
    } catch (Exception expected) {
      // failures and cancellation are what some of these histories record
    }
    factory.shutdown();
    factory.awaitTermination(10, TimeUnit.SECONDS);
    Files.writeString(OUT.resolve(name + ".json"), client.fetchHistory(id).toJson(true));
  }
}
