package io.blacktree.bench;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the orchestration overhead goes, from the timestamps of real runs: the publish time and the result
 * arrival (bench clock), the stand-in's RunJob start and end (bench clock, same host), and the workflow
 * history's event times (Temporal server clock, same host). Each job is cut into consecutive intervals whose
 * medians are reported, so the biggest item is visible.
 */
final class OverheadBreakdown {
  /** The intervals, in the order they happen. */
  static final List<String> INTERVALS = List.of(
      "publish->workflow-started (bridge consume + start)",
      "workflow-started->first-workflow-task-started",
      "workflow-task (started->completed)",
      "dispatch-scheduled->dispatch-started (activity poll, slot)",
      "dispatch-started->worker-RunJob (lease, gRPC call)",
      "worker-end->dispatch-completed (activity completion)",
      "dispatch-completed->publish-started (workflow task, publish poll)",
      "publish activity (started->completed)",
      "publish-completed->result-received");

  private final Map<String, List<Double>> samples = new LinkedHashMap<>();

  OverheadBreakdown() {
    INTERVALS.forEach(i -> samples.put(i, new ArrayList<>()));
  }

  /** Adds one job; jobs whose history does not have the expected shape are skipped. */
  void add(WorkflowClient client, String workflowId, long publishedMillis, long workerStart, long workerEnd,
      long resultMillis) {
    List<HistoryEvent> events = client.fetchHistory(workflowId).getHistory().getEventsList();
    long started = -1;
    long firstTaskStarted = -1;
    long firstTaskCompleted = -1;
    long dispatchScheduled = -1;
    long dispatchStarted = -1;
    long dispatchCompleted = -1;
    long publishStarted = -1;
    long publishCompleted = -1;
    int activities = 0;
    for (HistoryEvent e : events) {
      long t = e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
      EventType type = e.getEventType();
      if (type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
        started = t;
      } else if (type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED && firstTaskStarted < 0) {
        firstTaskStarted = t;
      } else if (type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && firstTaskCompleted < 0) {
        firstTaskCompleted = t;
      } else if (type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        activities++;
        if (activities == 1) {
          dispatchScheduled = t;
        }
      } else if (type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        if (activities == 1 && dispatchStarted < 0) {
          dispatchStarted = t;
        } else if (activities == 2) {
          publishStarted = t;
        }
      } else if (type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        if (activities == 1 && dispatchCompleted < 0) {
          dispatchCompleted = t;
        } else if (activities == 2) {
          publishCompleted = t;
        }
      }
    }
    if (started < 0 || firstTaskCompleted < 0 || dispatchStarted < 0 || dispatchCompleted < 0
        || publishStarted < 0 || publishCompleted < 0 || publishedMillis < 0) {
      return;
    }
    put(0, started - publishedMillis);
    put(1, firstTaskStarted - started);
    put(2, firstTaskCompleted - firstTaskStarted);
    put(3, dispatchStarted - dispatchScheduled);
    put(4, workerStart - dispatchStarted);
    put(5, dispatchCompleted - workerEnd);
    put(6, publishStarted - dispatchCompleted);
    put(7, publishCompleted - publishStarted);
    put(8, resultMillis - publishCompleted);
  }

  private void put(int i, long v) {
    samples.get(INTERVALS.get(i)).add((double) v);
  }

  /** Reports each interval's median and p99 as figures {@code overhead-part-<n>}. */
  void report(Report report, String labelPrefix) {
    int n = 1;
    for (Map.Entry<String, List<Double>> e : samples.entrySet()) {
      List<Double> v = e.getValue();
      if (!v.isEmpty()) {
        report.figure(labelPrefix + "overhead-part-" + n, e.getKey() + ": p50 " + Report.ms(Stats.percentile(v, 50))
            + ", p99 " + Report.ms(Stats.percentile(v, 99)) + " (" + v.size() + " jobs)");
      }
      n++;
    }
  }
}
