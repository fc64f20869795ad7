package io.blacktree.e2e.support;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.History;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A workflow's history as Temporal keeps it, read through its API, and as text to search: every {@link Payload}
 * decoded as UTF-8 (JSON payloads are UTF-8 text; inputs, results, failure details and heartbeats alike).
 */
public final class HistoryTexts {
  private HistoryTexts() {}

  /** The history of {@code workflowId} once its run has closed (polled for up to 30 s). */
  public static History closed(WorkflowClient temporal, String workflowId) throws InterruptedException {
    Instant end = Instant.now().plus(Duration.ofSeconds(30));
    while (temporal.newUntypedWorkflowStub(workflowId).describe().getStatus()
        == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError(workflowId + " still running after 30 s");
      }
      Thread.sleep(200);
    }
    return temporal.fetchHistory(workflowId).getHistory();
  }

  /** Adds every payload in {@code message} (its data and metadata values) to {@code out}; returns how many. */
  public static int decodePayloads(Message message, List<String> out) {
    if (message instanceof Payload p) {
      out.add(p.getData().toStringUtf8());
      p.getMetadataMap().values().forEach(v -> out.add(v.toStringUtf8()));
      return 1;
    }
    int n = 0;
    for (Map.Entry<FieldDescriptor, Object> f : message.getAllFields().entrySet()) {
      if (f.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.getKey().isRepeated()) {
        for (Object o : (List<?>) f.getValue()) {
          n += o instanceof Message m ? decodePayloads(m, out) : 0;
        }
      } else {
        n += decodePayloads((Message) f.getValue(), out);
      }
    }
    return n;
  }
}
