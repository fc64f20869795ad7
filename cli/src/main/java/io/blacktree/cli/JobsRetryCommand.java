package io.blacktree.cli;

import io.blacktree.core.JobStep;
import io.blacktree.core.Names;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.SearchAttributes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.api.workflowservice.v1.ResetWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.PrintWriter;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code blacktree jobs retry ID}: a new run of a failed, cancelled, terminated or timed-out job with the same
 * input, search attributes and memo under the same workflow ID. {@code --reset} uses Temporal's
 * ResetWorkflowExecution to the first workflow task instead (servers that have it).
 */
@Command(name = "retry", mixinStandardHelpOptions = true,
    description = "Run a failed or cancelled job again under the same ID with the same input.")
final class JobsRetryCommand implements Callable<Integer> {
  private static final Set<WorkflowExecutionStatus> RETRYABLE = Set.of(
      WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED,
      WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED,
      WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
      WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT);

  @Mixin TemporalOptions temporal;

  @Parameters(paramLabel = "WORKFLOW_ID", description = "The job's workflow ID.")
  String workflowId;

  @Option(names = "--reset", description = "Use Temporal's reset (to the first workflow task) instead of a new start.")
  boolean reset;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws CliException {
    try (TemporalClients clients = temporal.connect()) {
      Jobs jobs = new Jobs(clients);
      var info = jobs.require(workflowId).getWorkflowExecutionInfo();
      if (!RETRYABLE.contains(info.getStatus())) {
        throw CliException.badInput("job " + workflowId + " is " + Jobs.statusName(info.getStatus())
            + ": only failed, cancelled, terminated or timed-out jobs can be retried");
      }
      String oldRunId = info.getExecution().getRunId();
      History history = jobs.history(workflowId, oldRunId);
      String newRunId = reset ? reset(clients, history, oldRunId) : start(clients, history);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("Retrying %s: new run %s (previous run %s)%n", workflowId, newRunId, oldRunId);
      out.flush();
    }
    return ExitCode.OK;
  }

  private String start(TemporalClients clients, History history) throws CliException {
    WorkflowExecutionStartedEventAttributes started = history.getEventsList().stream()
        .filter(HistoryEvent::hasWorkflowExecutionStartedEventAttributes).findFirst()
        .orElseThrow(() -> CliException.badInput("history of " + workflowId + " has no start event"))
        .getWorkflowExecutionStartedEventAttributes();
    SearchAttributes.Builder attributes = started.getSearchAttributes().toBuilder();
    Payload queued = DefaultDataConverter.STANDARD_INSTANCE.toPayload(JobStep.QUEUED.value()).orElseThrow();
    attributes.putIndexedFields(Names.SA_STEP, queued);
    StartWorkflowExecutionRequest request = StartWorkflowExecutionRequest.newBuilder()
        .setNamespace(clients.namespace())
        .setWorkflowId(workflowId)
        .setWorkflowType(started.getWorkflowType())
        .setTaskQueue(started.getTaskQueue())
        .setInput(started.getInput())
        .setWorkflowExecutionTimeout(started.getWorkflowExecutionTimeout())
        .setWorkflowRunTimeout(started.getWorkflowRunTimeout())
        .setWorkflowTaskTimeout(started.getWorkflowTaskTimeout())
        .setMemo(started.getMemo())
        .setSearchAttributes(attributes)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
        .setIdentity("blacktree-cli")
        .setRequestId(UUID.randomUUID().toString())
        .build();
    return clients.service().blockingStub().withDeadlineAfter(Jobs.DEADLINE_SECONDS, TimeUnit.SECONDS)
        .startWorkflowExecution(request).getRunId();
  }

  private String reset(TemporalClients clients, History history, String runId) throws CliException {
    long firstTaskCompleted = history.getEventsList().stream()
        .filter(HistoryEvent::hasWorkflowTaskCompletedEventAttributes).findFirst()
        .orElseThrow(() -> CliException.badInput("history of " + workflowId + " has no completed workflow task"))
        .getEventId();
    return clients.service().blockingStub().withDeadlineAfter(Jobs.DEADLINE_SECONDS, TimeUnit.SECONDS)
        .resetWorkflowExecution(ResetWorkflowExecutionRequest.newBuilder()
            .setNamespace(clients.namespace())
            .setWorkflowExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId).setRunId(runId))
            .setWorkflowTaskFinishEventId(firstTaskCompleted)
            .setReason("blacktree jobs retry --reset")
            .setRequestId(UUID.randomUUID().toString())
            .build())
        .getRunId();
  }
}
