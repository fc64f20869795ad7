package io.blacktree.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.JobStatus;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.HistoryEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one run's history says about a job: its input, each attempt (every dispatch activity is one attempt,
 * with its error kind and logs), and its result. Reads raw events so any server and any code version works.
 */
final class JobHistory {
  /** The dispatch activity's type name: one scheduled event per attempt. */
  static final String DISPATCH_ACTIVITY = "Dispatch";

  private final History history;

  JobHistory(History history) {
    this.history = history;
  }

  /** The workflow's input, as JSON ({@code request}, {@code replyTargets}). */
  Optional<JsonNode> input() {
    return history.getEventsList().stream()
        .filter(HistoryEvent::hasWorkflowExecutionStartedEventAttributes)
        .findFirst()
        .flatMap(e -> PayloadJson.first(e.getWorkflowExecutionStartedEventAttributes().getInput()));
  }

  /** Every attempt in order; the last one is RUNNING while its activity has not closed. */
  List<Attempt> attempts() {
    Map<Long, Attempt> byScheduledId = new LinkedHashMap<>();
    for (HistoryEvent event : history.getEventsList()) {
      Instant at = Instant.ofEpochSecond(event.getEventTime().getSeconds(), event.getEventTime().getNanos());
      if (event.hasActivityTaskScheduledEventAttributes()) {
        if (DISPATCH_ACTIVITY.equals(
            event.getActivityTaskScheduledEventAttributes().getActivityType().getName())) {
          byScheduledId.put(event.getEventId(),
              new Attempt(byScheduledId.size() + 1, Attempt.RUNNING, null, null, null, at, null, null));
        }
      } else if (event.hasActivityTaskCompletedEventAttributes()) {
        var a = event.getActivityTaskCompletedEventAttributes();
        byScheduledId.computeIfPresent(a.getScheduledEventId(), (id, attempt) -> {
          JsonNode outcome = PayloadJson.first(a.getResult()).orElse(null);
          return attempt.closedWith("SUCCEEDED", PayloadJson.text(outcome, "worker"), null, null, at,
              PayloadJson.text(outcome, "logs"));
        });
      } else if (event.hasActivityTaskFailedEventAttributes()) {
        var a = event.getActivityTaskFailedEventAttributes();
        byScheduledId.computeIfPresent(a.getScheduledEventId(), (id, attempt) -> failed(attempt, "FAILED",
            a.getFailure(), at));
      } else if (event.hasActivityTaskTimedOutEventAttributes()) {
        var a = event.getActivityTaskTimedOutEventAttributes();
        byScheduledId.computeIfPresent(a.getScheduledEventId(), (id, attempt) -> failed(attempt, "TIMED_OUT",
            a.getFailure(), at));
      } else if (event.hasActivityTaskCanceledEventAttributes()) {
        var a = event.getActivityTaskCanceledEventAttributes();
        byScheduledId.computeIfPresent(a.getScheduledEventId(), (id, attempt) -> attempt.closedWith(
            "CANCELLED", null, ErrorKind.CANCELLED.name(), "cancelled", at, null));
      }
    }
    return new ArrayList<>(byScheduledId.values());
  }

  private static Attempt failed(Attempt attempt, String outcome, Failure failure, Instant at) {
    Failure typed = failure;
    while (!typed.hasApplicationFailureInfo() && typed.hasCause()) {
      typed = typed.getCause();
    }
    if (!typed.hasApplicationFailureInfo()) {
      return attempt.closedWith(outcome, null, outcome.equals("TIMED_OUT") ? "WORKER_LOST" : null,
          failure.getMessage(), at, null);
    }
    JsonNode details = PayloadJson.first(typed.getApplicationFailureInfo().getDetails()).orElse(null);
    String message = PayloadJson.text(details, "message");
    return attempt.closedWith(outcome, PayloadJson.text(details, "worker"),
        typed.getApplicationFailureInfo().getType(), message == null ? typed.getMessage() : message, at,
        PayloadJson.text(details, "logs"));
  }

  /** The job's result once the run has closed: success, failure details, cancel, terminate or timeout. */
  Optional<DeployResult> result(String workflowId) {
    for (int i = history.getEventsCount() - 1; i >= 0; i--) {
      HistoryEvent event = history.getEvents(i);
      if (event.hasWorkflowExecutionCompletedEventAttributes()) {
        return PayloadJson.first(event.getWorkflowExecutionCompletedEventAttributes().getResult())
            .flatMap(node -> PayloadJson.as(node, DeployResult.class));
      }
      if (event.hasWorkflowExecutionFailedEventAttributes()) {
        return Optional.of(failedResult(workflowId, event.getWorkflowExecutionFailedEventAttributes().getFailure()));
      }
      if (event.hasWorkflowExecutionCanceledEventAttributes()) {
        return Optional.of(DeployResult.cancelled(workflowId));
      }
      if (event.hasWorkflowExecutionTerminatedEventAttributes()) {
        return Optional.of(DeployResult.closed(JobStatus.FAILED, workflowId, null,
            "terminated: " + event.getWorkflowExecutionTerminatedEventAttributes().getReason()));
      }
      if (event.hasWorkflowExecutionTimedOutEventAttributes()) {
        return Optional.of(DeployResult.timedOut(workflowId));
      }
    }
    return Optional.empty();
  }

  private static DeployResult failedResult(String workflowId, Failure failure) {
    if (failure.hasApplicationFailureInfo()) {
      DeployResult carried = PayloadJson.first(failure.getApplicationFailureInfo().getDetails())
          .flatMap(node -> PayloadJson.as(node, DeployResult.class)).orElse(null);
      return DeployResult.ofFailure(workflowId, carried, failure.getApplicationFailureInfo().getType(),
          failure.getMessage());
    }
    return DeployResult.closed(JobStatus.FAILED, workflowId, ErrorKind.INTERNAL, failure.getMessage());
  }
}
