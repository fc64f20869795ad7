package io.blacktree.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Checks the end state of a {@link FaultStack} job that a user relies on: exactly one execution for the
 * workflow ID, closed with the status matching its result message; exactly one result message; no workspace left
 * under the workdir; no container left that ran the job's build; the worker FREE.
 */
final class EndStateCheck {
  /** Polls a condition until it holds, failing the test when {@code bound} passes (or a component exits). */
  @FunctionalInterface
  interface Poll {
    void awaitTrue(String what, Duration bound, BooleanSupplier condition);
  }

  private final ResultListener results;
  private final WorkflowClient client;
  private final WorkerObserver observer;
  private final Leftovers leftovers;
  private final Path workdir;
  private final Poll poll;

  EndStateCheck(ResultListener results, WorkflowClient client, WorkerObserver observer, Leftovers leftovers,
      Path workdir, Poll poll) {
    this.results = results;
    this.client = client;
    this.observer = observer;
    this.leftovers = leftovers;
    this.workdir = workdir;
    this.poll = poll;
  }

  /**
   * Waits for the job's result message, then checks the end state; the containers whose ID starts with one of
   * {@code tolerated} (known leftovers a test checks itself) do not count.
   *
   * @return the result message
   */
  JsonNode awaitEndedOnce(Job job, Duration bound, Set<String> tolerated) throws Exception {
    poll.awaitTrue("a result message for " + job.workflowId, bound,
        () -> !results.messages(job.workflowId).isEmpty());
    JsonNode message = results.messages(job.workflowId).get(0);
    String status = message.path("status").asText();
    WorkflowExecutionStatus expected = switch (status) {
      case "SUCCESS" -> WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
      case "FAILED" -> WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED;
      case "CANCELLED" -> WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED;
      default -> throw new AssertionError("unexpected result " + message);
    };
    WorkflowStub stub = client.newUntypedWorkflowStub(job.workflowId);
    poll.awaitTrue(job.workflowId + " closed " + expected, Duration.ofSeconds(30),
        () -> stub.describe().getStatus() == expected);
    poll.awaitTrue("one execution of " + job.workflowId + " in visibility", Duration.ofSeconds(30),
        () -> executions(job.workflowId) >= 1);
    assertThat(executions(job.workflowId)).as("executions of %s", job.workflowId).isEqualTo(1);
    poll.awaitTrue("worker FREE", Duration.ofSeconds(60), observer::isFree);
    poll.awaitTrue("no workspace under " + workdir, Duration.ofSeconds(30), () -> leftovers.workspaces().isEmpty());
    poll.awaitTrue("no container of " + job.marker, Duration.ofSeconds(30),
        () -> leftovers.containersOf(job).stream().allMatch(c -> tolerated.stream()
            .anyMatch(t -> t.startsWith(c.split(" ")[0]) || c.startsWith(t))));
    // a second message would come from a second run or a repeated publish: give it a moment to show up
    Thread.sleep(1000);
    assertThat(results.messages(job.workflowId)).as("result messages of %s", job.workflowId).hasSize(1);
    return message;
  }

  private long executions(String workflowId) {
    return client.listExecutions("WorkflowId = '" + workflowId + "'").count();
  }
}
