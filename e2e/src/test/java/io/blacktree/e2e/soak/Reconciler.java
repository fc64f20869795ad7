package io.blacktree.e2e.soak;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges a soak run from what was sent and what the system shows afterwards. Pure: every input is collected
 * by the caller (Temporal history, result messages, the dead-letter queue, leftover checks).
 *
 * <ul>
 *   <li><b>lost</b>: an accepted workflow ID (sent valid or duplicate) with no execution, an execution still
 *       open, or a closed execution without its result message on {@code jobs.results}.</li>
 *   <li><b>duplicated</b>: an accepted workflow ID that completed more than once, that has more executions
 *       than one plus the duplicates sent for it (a duplicate may start a new run only after a failed one), or
 *       a result message for a run Temporal does not know; also any workflow ID no request asked for.</li>
 *   <li><b>invalid not in DLQ</b>: an invalid request with no copy in the dead-letter queue, or whose copies
 *       carry no reason naming the offending field.</li>
 * </ul>
 */
final class Reconciler {
  /** A request as sent: its soak ID (also in the message's headers), kind and, when valid, its workflow ID. */
  record Sent(String soakId, RequestKind kind, String workflowId) {}

  /** One execution of a workflow ID: Temporal's run ID and status name (COMPLETED, FAILED, RUNNING, ...). */
  record Run(String runId, String status) {
    boolean open() {
      return status.equals("RUNNING") || status.equals("CONTINUED_AS_NEW");
    }
  }

  /** One result message from {@code jobs.results}: its workflow ID, message ID and status. */
  record Result(String workflowId, String messageId, String status) {}

  /** What a run's result message ID is: {@code <workflowId>/<runId>/result}. */
  static String resultMessageId(String workflowId, String runId) {
    return workflowId + "/" + runId + "/result";
  }

  /** The verdict. Problems name each offending ID with why. */
  record Verdict(
      int accepted,
      int succeeded,
      int failed,
      Map<String, Integer> failedByKind,
      List<String> lost,
      List<String> duplicated,
      List<String> invalidNotInDlq,
      int resultRedeliveries,
      int extraDlqCopies,
      List<String> leftovers) {
    boolean clean() {
      return lost.isEmpty() && duplicated.isEmpty() && invalidNotInDlq.isEmpty() && leftovers.isEmpty();
    }
  }

  private Reconciler() {}

  /** Whether a run's close (from its history) and its result message's status tell the same story. */
  static boolean agrees(String runStatus, String resultStatus) {
    return switch (runStatus) {
      case "COMPLETED" -> "SUCCESS".equals(resultStatus);
      case "FAILED" -> "FAILED".equals(resultStatus);
      case "CANCELED" -> "CANCELLED".equals(resultStatus);
      default -> false;
    };
  }

  /**
   * @param sent        every request sent
   * @param runs        the executions Temporal has per workflow ID
   * @param results     every result message received (REJECTED ones included; they carry no workflow ID)
   * @param dlq         dead-letter reasons of each DLQ message, by the soak ID in its headers
   * @param failureKind the error kind of each failed workflow ID (from its result message), for the report
   * @param leftovers   leftover findings (workspace, container, busy worker, queued message), one line each
   */
  static Verdict reconcile(List<Sent> sent, Map<String, List<Run>> runs, List<Result> results,
      Map<String, List<List<String>>> dlq, Map<String, String> failureKind, List<String> leftovers) {
    Map<String, Integer> duplicatesSent = new LinkedHashMap<>();
    for (Sent s : sent) {
      if (!s.kind().invalid()) {
        duplicatesSent.merge(s.workflowId(), s.kind() == RequestKind.DUPLICATE ? 1 : 0, Integer::sum);
      }
    }
    Map<String, Map<String, Integer>> copiesByMessage = new HashMap<>();
    Map<String, String> statusByMessage = new HashMap<>();
    int redeliveries = 0;
    for (Result r : results) {
      if (r.workflowId() == null || r.workflowId().isEmpty()) {
        continue;
      }
      statusByMessage.put(r.messageId(), r.status());
      int n = copiesByMessage.computeIfAbsent(r.workflowId(), k -> new HashMap<>())
          .merge(r.messageId(), 1, Integer::sum);
      if (n > 1) {
        redeliveries++;
      }
    }
    List<String> lost = new ArrayList<>();
    List<String> duplicated = new ArrayList<>();
    int succeeded = 0;
    int failed = 0;
    Map<String, Integer> failedByKind = new TreeMap<>();
    for (Map.Entry<String, Integer> e : duplicatesSent.entrySet()) {
      String wf = e.getKey();
      List<Run> wfRuns = runs.getOrDefault(wf, List.of());
      Set<String> messages = copiesByMessage.getOrDefault(wf, Map.of()).keySet();
      if (wfRuns.isEmpty()) {
        lost.add(wf + ": no execution");
        continue;
      }
      boolean ok = true;
      Set<String> known = new LinkedHashSet<>();
      for (Run run : wfRuns) {
        known.add(resultMessageId(wf, run.runId()));
        if (run.open()) {
          lost.add(wf + ": run " + run.runId() + " still " + run.status());
          ok = false;
        } else if (!messages.contains(resultMessageId(wf, run.runId()))) {
          lost.add(wf + ": run " + run.runId() + " " + run.status() + " without a result message");
          ok = false;
        } else if (!agrees(run.status(), statusByMessage.get(resultMessageId(wf, run.runId())))) {
          lost.add(wf + ": run " + run.runId() + " " + run.status() + " but its result message says "
              + statusByMessage.get(resultMessageId(wf, run.runId())));
          ok = false;
        }
      }
      long completed = wfRuns.stream().filter(r -> r.status().equals("COMPLETED")).count();
      if (completed > 1) {
        duplicated.add(wf + ": completed " + completed + " times");
        ok = false;
      } else if (wfRuns.size() > 1 + e.getValue()) {
        duplicated.add(wf + ": " + wfRuns.size() + " executions for " + (1 + e.getValue()) + " requests");
        ok = false;
      }
      for (String m : messages) {
        if (!known.contains(m)) {
          duplicated.add(wf + ": result message " + m + " of no known run");
          ok = false;
        }
      }
      if (!ok) {
        continue;
      }
      if (completed == 1) {
        succeeded++;
      } else {
        failed++;
        failedByKind.merge(failureKind.getOrDefault(wf, "UNKNOWN"), 1, Integer::sum);
      }
    }
    for (String wf : runs.keySet()) {
      if (!duplicatesSent.containsKey(wf)) {
        duplicated.add(wf + ": " + runs.get(wf).size() + " execution(s) for no request");
      }
    }
    List<String> invalidNotInDlq = new ArrayList<>();
    int extraCopies = 0;
    for (Sent s : sent) {
      if (!s.kind().invalid()) {
        continue;
      }
      List<List<String>> copies = dlq.getOrDefault(s.soakId(), List.of());
      if (copies.isEmpty()) {
        invalidNotInDlq.add(s.soakId() + " (" + s.kind() + "): not in the DLQ");
        continue;
      }
      extraCopies += copies.size() - 1;
      boolean named = copies.stream().anyMatch(reasons -> reasons.stream()
          .anyMatch(r -> !r.isBlank() && r.contains(s.kind().reasonField())));
      if (!named) {
        invalidNotInDlq.add(s.soakId() + " (" + s.kind() + "): in the DLQ without a reason naming '"
            + s.kind().reasonField() + "': " + copies);
      }
    }
    for (Sent s : sent) {
      if (!s.kind().invalid() && dlq.containsKey(s.soakId())) {
        lost.add(s.workflowId() + ": request " + s.soakId() + " (" + s.kind() + ") dead-lettered: "
            + dlq.get(s.soakId()));
      }
    }
    return new Verdict(duplicatesSent.size(), succeeded, failed, failedByKind, lost, duplicated, invalidNotInDlq,
        redeliveries, extraCopies, List.copyOf(leftovers));
  }
}
