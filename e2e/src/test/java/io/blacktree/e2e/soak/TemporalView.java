package io.blacktree.e2e.soak;

import io.blacktree.core.Names;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The soak's view of the private Temporal server: executions by workflow ID, status from each history. */
final class TemporalView implements AutoCloseable {
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;

  TemporalView(String target) {
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    client = WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
  }

  long openCount() {
    return client.listExecutions("ExecutionStatus = 'Running'").count();
  }

  /** Every execution on the server, by workflow ID; the status is read from the run's history. */
  Map<String, List<Reconciler.Run>> runs() {
    Map<String, List<Reconciler.Run>> out = new HashMap<>();
    List<WorkflowExecutionMetadata> all = client.listExecutions("WorkflowType = '" + Names.WORKFLOW_TYPE + "'")
        .toList();
    for (WorkflowExecutionMetadata m : all) {
      String wf = m.getExecution().getWorkflowId();
      String run = m.getExecution().getRunId();
      out.computeIfAbsent(wf, k -> new ArrayList<>()).add(new Reconciler.Run(run, statusFromHistory(wf, run)));
    }
    return out;
  }

  private String statusFromHistory(String workflowId, String runId) {
    List<String> closes = new ArrayList<>();
    for (HistoryEvent e : client.fetchHistory(workflowId, runId).getEvents()) {
      EventType t = e.getEventType();
      switch (t) {
        case EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED -> closes.add("COMPLETED");
        case EVENT_TYPE_WORKFLOW_EXECUTION_FAILED -> closes.add("FAILED");
        case EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED -> closes.add("CANCELED");
        case EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED -> closes.add("TERMINATED");
        case EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT -> closes.add("TIMED_OUT");
        case EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW -> closes.add("CONTINUED_AS_NEW");
        default -> { }
      }
    }
    if (closes.isEmpty()) {
      return "RUNNING";
    }
    return closes.size() == 1 ? closes.get(0) : "CLOSED_" + closes.size() + "_TIMES";
  }

  @Override
  public void close() {
    service.shutdown();
  }
}
