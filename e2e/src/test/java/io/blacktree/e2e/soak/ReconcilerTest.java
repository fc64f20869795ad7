package io.blacktree.e2e.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.e2e.soak.Reconciler.Result;
import io.blacktree.e2e.soak.Reconciler.Run;
import io.blacktree.e2e.soak.Reconciler.Sent;
import io.blacktree.e2e.soak.Reconciler.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
  private final List<Sent> sent = new ArrayList<>();
  private final Map<String, List<Run>> runs = new HashMap<>();
  private final List<Result> results = new ArrayList<>();
  private final Map<String, List<List<String>>> dlq = new HashMap<>();
  private final Map<String, String> kinds = new HashMap<>();
  private final List<String> leftovers = new ArrayList<>();

  private Verdict verdict() {
    return Reconciler.reconcile(sent, runs, results, dlq, kinds, leftovers);
  }

  private void ended(String wf, String runId, String status, String resultStatus) {
    runs.computeIfAbsent(wf, k -> new ArrayList<>()).add(new Run(runId, status));
    results.add(new Result(wf, Reconciler.resultMessageId(wf, runId), resultStatus));
  }

  @Test
  void reconcile_everyRequestEndedOnceInvalidInDlq_clean() {
    sent.add(new Sent("s0", RequestKind.VALID, "wf0"));
    sent.add(new Sent("s1", RequestKind.DUPLICATE, "wf0"));
    sent.add(new Sent("s2", RequestKind.VALID, "wf2"));
    sent.add(new Sent("s3", RequestKind.BAD_ACCOUNT, null));
    ended("wf0", "r0", "COMPLETED", "SUCCESS");
    ended("wf2", "r2", "FAILED", "FAILED");
    kinds.put("wf2", "GIT_UNAVAILABLE");
    dlq.put("s3", List.of(List.of("aws_account: must be 12 digits")));
    results.add(new Result(null, "rejected:abc", "REJECTED"));

    Verdict v = verdict();

    assertThat(v.clean()).as(v.toString()).isTrue();
    assertThat(v.accepted()).isEqualTo(2);
    assertThat(v.succeeded()).isEqualTo(1);
    assertThat(v.failed()).isEqualTo(1);
    assertThat(v.failedByKind()).containsEntry("GIT_UNAVAILABLE", 1);
  }

  @Test
  void reconcile_noExecutionOpenRunOrMissingResult_eachLost() {
    sent.add(new Sent("s0", RequestKind.VALID, "wf0"));
    sent.add(new Sent("s1", RequestKind.VALID, "wf1"));
    sent.add(new Sent("s2", RequestKind.VALID, "wf2"));
    runs.put("wf1", List.of(new Run("r1", "RUNNING")));
    runs.put("wf2", List.of(new Run("r2", "COMPLETED")));

    Verdict v = verdict();

    assertThat(v.lost()).hasSize(3);
    assertThat(String.join("\n", v.lost())).contains("wf0: no execution", "r1 still RUNNING",
        "r2 COMPLETED without a result message");
    assertThat(v.clean()).isFalse();
  }

  @Test
  void reconcile_resultContradictsHistory_lost() {
    sent.add(new Sent("s0", RequestKind.VALID, "wf0"));
    ended("wf0", "r0", "FAILED", "SUCCESS");

    assertThat(verdict().lost()).singleElement().asString().contains("FAILED but its result message says SUCCESS");
  }

  @Test
  void reconcile_completedTwice_duplicated() {
    sent.add(new Sent("s0", RequestKind.VALID, "wf0"));
    sent.add(new Sent("s1", RequestKind.DUPLICATE, "wf0"));
    ended("wf0", "r0", "COMPLETED", "SUCCESS");
    ended("wf0", "r1", "COMPLETED", "SUCCESS");

    assertThat(verdict().duplicated()).singleElement().asString().contains("completed 2 times");
  }

  @Test
  void reconcile_secondRunWithoutDuplicateRequest_duplicated() {
    sent.add(new Sent("s0", RequestKind.VALID, "wf0"));
    ended("wf0", "r0", "FAILED", "FAILED");
    ended("wf0", "r1", "COMPLETED", "SUCCESS");

    assertThat(verdict().duplicated()).singleElement().asString().contains("2 executions for 1 requests");
  }

  @Test
  void reconcile_duplicateRequestAfterFailedRun_newRunAllowed() {
    sent.add(new Sent("s0", RequestKind.VALID, "wf0"));
    sent.add(new Sent("s1", RequestKind.DUPLICATE, "wf0"));
    ended("wf0", "r0", "FAILED", "FAILED");
    ended("wf0", "r1", "COMPLETED", "SUCCESS");

    Verdict v = verdict();

    assertThat(v.clean()).as(v.toString()).isTrue();
    assertThat(v.succeeded()).isEqualTo(1);
  }

  @Test
  void reconcile_sameResultMessageTwice_redeliveryNotDuplicate() {
    sent.add(new Sent("s0", RequestKind.VALID, "wf0"));
    ended("wf0", "r0", "COMPLETED", "SUCCESS");
    results.add(new Result("wf0", Reconciler.resultMessageId("wf0", "r0"), "SUCCESS"));

    Verdict v = verdict();

    assertThat(v.clean()).isTrue();
    assertThat(v.resultRedeliveries()).isEqualTo(1);
  }

  @Test
  void reconcile_resultOfUnknownRun_duplicated() {
    sent.add(new Sent("s0", RequestKind.VALID, "wf0"));
    ended("wf0", "r0", "COMPLETED", "SUCCESS");
    results.add(new Result("wf0", Reconciler.resultMessageId("wf0", "ghost"), "SUCCESS"));

    assertThat(verdict().duplicated()).singleElement().asString().contains("ghost");
  }

  @Test
  void reconcile_workflowNoRequestAskedFor_duplicated() {
    sent.add(new Sent("s0", RequestKind.VALID, "wf0"));
    ended("wf0", "r0", "COMPLETED", "SUCCESS");
    ended("wf9", "r9", "COMPLETED", "SUCCESS");

    assertThat(verdict().duplicated()).singleElement().asString().contains("wf9", "for no request");
  }

  @Test
  void reconcile_invalidMissingOrWithoutItsReason_invalidNotInDlq() {
    sent.add(new Sent("s0", RequestKind.MISSING_FIELD, null));
    sent.add(new Sent("s1", RequestKind.BAD_TAG, null));
    sent.add(new Sent("s2", RequestKind.NOT_JSON, null));
    sent.add(new Sent("s3", RequestKind.POLICY, null));
    dlq.put("s1", List.of(List.of("ecr_repo: is required")));
    dlq.put("s2", List.of(List.of("body: not JSON")));
    dlq.put("s3", List.of(List.of("repo_url: scheme 'http' is not allowed"), List.of("repo_url: again")));

    Verdict v = verdict();

    assertThat(v.invalidNotInDlq()).hasSize(2);
    assertThat(String.join("\n", v.invalidNotInDlq())).contains("s0 (MISSING_FIELD): not in the DLQ",
        "s1 (BAD_TAG): in the DLQ without a reason naming 'deployment_version'");
    assertThat(v.extraDlqCopies()).isEqualTo(1);
  }

  @Test
  void reconcile_validRequestDeadLettered_lost() {
    sent.add(new Sent("s0", RequestKind.VALID, "wf0"));
    ended("wf0", "r0", "COMPLETED", "SUCCESS");
    dlq.put("s0", List.of(List.of("temporal: refused")));

    assertThat(verdict().lost()).singleElement().asString().contains("dead-lettered");
  }

  @Test
  void reconcile_leftovers_notClean() {
    leftovers.add("worker w1 BUSY");

    Verdict v = verdict();

    assertThat(v.clean()).isFalse();
    assertThat(v.leftovers()).containsExactly("worker w1 BUSY");
  }
}
