package io.blacktree.workflows;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.Names;
import io.blacktree.workflow.api.DeployJobStart;
import io.blacktree.workflow.api.DeployJobWorkflow;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;

/**
 * What the workflow tests share: the time-skipping test server with Blacktree's search attributes registered, the
 * workflow on the test's worker, and the start request every starter makes ({@link DeployJobStart}), so that the
 * tests see the attributes and memo a job really has.
 */
final class DeployJobTestEnvironment {
  /** Heartbeats are sent at least every half second, so that a cancel reaches a running activity soon. */
  static final WorkerOptions FAST =
      WorkerOptions.newBuilder().setMaxHeartbeatThrottleInterval(Duration.ofMillis(500)).build();

  private DeployJobTestEnvironment() {}

  /** The test server, started by {@link #start} once the test has added its workers. */
  static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder().setDoNotStart(true).setWorkerOptions(FAST);
    Names.SEARCH_ATTRIBUTES.forEach(
        name -> builder.registerSearchAttribute(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    return builder.build();
  }

  /**
   * Registers the workflow (with {@code options}) and {@code activities} on {@code worker}, starts the server, and
   * returns a stub that starts {@code request}'s job on the worker's task queue.
   */
  static DeployJobWorkflow start(TestWorkflowEnvironment env, Worker worker, DeployJobOptions options,
      BuildRequest request, Object... activities) {
    worker.registerWorkflowImplementationFactory(DeployJobWorkflow.class, () -> new DeployJobWorkflowImpl(options));
    worker.registerActivitiesImplementations(activities);
    env.start();
    return env.getWorkflowClient().newWorkflowStub(DeployJobWorkflow.class,
        DeployJobStart.options(request, worker.getTaskQueue()));
  }

  /** The job of {@code request} as Temporal describes it: status, search attributes, memo. */
  static WorkflowExecutionDescription describe(TestWorkflowEnvironment env, BuildRequest request) {
    return env.getWorkflowClient().newUntypedWorkflowStub(Names.workflowId(request)).describe();
  }
}
