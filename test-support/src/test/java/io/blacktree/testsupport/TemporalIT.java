package io.blacktree.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.Names;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TemporalIT {
  private static final SearchAttributeKey<String> REPO = SearchAttributeKey.forKeyword(Names.SA_REPO);
  private static final SearchAttributeKey<String> STEP = SearchAttributeKey.forKeyword(Names.SA_STEP);
  private static TemporalFixture temporal;

  /** A trivial workflow that records a step in a custom search attribute. */
  @WorkflowInterface
  public interface GreetingWorkflow {
    @WorkflowMethod
    String greet(String name);
  }

  /** Implementation registered on the test's own task queue. */
  public static class GreetingWorkflowImpl implements GreetingWorkflow {
    @Override
    public String greet(String name) {
      Workflow.upsertTypedSearchAttributes(STEP.valueSet("greeted"));
      return "hello " + name;
    }
  }

  @BeforeAll
  static void services() {
    ServiceRequirement.require(Service.TEMPORAL);
    temporal = TemporalFixture.forClass(TemporalIT.class);
  }

  @AfterAll
  static void close() {
    if (temporal != null) {
      temporal.close();
    }
  }

  @Test
  void workflow_onDevServer_completesAndIsFoundBySearchAttribute() throws Exception {
    String taskQueue = temporal.taskQueue("greet");
    WorkerFactory factory = temporal.newWorkerFactory();
    Worker worker = factory.newWorker(taskQueue);
    worker.registerWorkflowImplementationTypes(GreetingWorkflowImpl.class);
    factory.start();
    String workflowId = temporal.workflowId("greet");
    String repo = temporal.prefix() + "/repo";

    GreetingWorkflow stub = temporal.client().newWorkflowStub(GreetingWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(taskQueue)
        .setWorkflowRunTimeout(Duration.ofMinutes(1))
        .setTypedSearchAttributes(SearchAttributes.newBuilder().set(REPO, repo).build())
        .build());
    String result = stub.greet("blacktree");

    assertThat(result).isEqualTo("hello blacktree");
    List<WorkflowExecutionMetadata> found = temporal.awaitVisible(
        Names.SA_REPO + " = '" + repo + "' AND " + Names.SA_STEP + " = 'greeted' AND ExecutionStatus = 'Completed'",
        Duration.ofSeconds(30));
    assertThat(found).hasSize(1);
    assertThat(found.get(0).getExecution().getWorkflowId()).isEqualTo(workflowId);
    assertThat(found.get(0).getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    assertThat(found.get(0).getTypedSearchAttributes().get(REPO)).isEqualTo(repo);
  }
}
