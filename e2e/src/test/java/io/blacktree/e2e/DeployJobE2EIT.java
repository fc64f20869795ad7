package io.blacktree.e2e;

import io.blacktree.core.JobStatus;
import static io.blacktree.e2e.support.BlacktreeStack.run;
import static io.blacktree.e2e.support.DeployJobStack.ACCOUNT;
import static io.blacktree.e2e.support.DeployJobStack.dispatchScheduled;
import static io.blacktree.e2e.support.DeployJobStack.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.core.DeployResult;
import io.blacktree.core.Names;
import io.blacktree.e2e.support.BuildWorker;
import io.blacktree.e2e.support.DeployJobStack;
import io.blacktree.e2e.support.DeployJobStack.Job;
import io.blacktree.e2e.support.Docker;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code DeployJob} workflow end to end on a {@link DeployJobStack} (two build workers and one orchestrator
 * as real child JVMs): how a job ends as a user sees it (the execution's status, memo, search attributes and
 * history, the result message, the image) for a good and a broken Dockerfile, and how six jobs share the two
 * workers. Jobs interrupted mid-build are {@link DeployJobInterruptedE2EIT}'s.
 */
class DeployJobE2EIT extends DeployJobItBase {
  private static final Duration JOB_BOUND = Duration.ofSeconds(150);
  private static final Pattern UPTIME = Pattern.compile("JOB (\\S+) (start|end) ([0-9]+\\.[0-9]+)");

  @Test
  void deployJob_success_logsMemoAndSearchAttributesInTemporalAndResultPublished() throws Exception {
    String marker = "hello-build-" + System.nanoTime();
    Job job = stack.newJob("ok", "v1.0.0", run("sh", "-c", "echo " + marker));

    WorkflowStub stub = job.start();
    DeployResult result = stub.getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class);

    assertThat(result.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(result.imageUrl()).isEqualTo(stack.registry() + "/" + job.ecrRepo + ":v1.0.0");
    assertThat(result.commitSha()).isEqualTo(job.commit);
    assertThat(result.attempts()).isEqualTo(1);
    assertThat(stack.workers().stream().map(BuildWorker::address)).contains(result.worker());
    assertThat(Docker.runImage(result.imageUrl())).isEqualTo("ok");

    WorkflowExecutionDescription d = stub.describe();
    assertThat(d.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    assertThat(d.getMemo("branch", String.class)).isEqualTo("main");
    assertThat(d.getMemo("request_id", String.class)).isEqualTo(job.requestId);
    assertThat(d.getMemo("worker", String.class)).isEqualTo(result.worker());
    assertThat(d.getMemo("image_url", String.class)).isEqualTo(result.imageUrl());
    assertThat(d.getMemo("commit_sha", String.class)).isEqualTo(job.commit);
    var sa = d.getTypedSearchAttributes();
    assertThat(sa.get(SearchAttributeKey.forKeyword(Names.SA_REPO))).isEqualTo(job.repo);
    assertThat(sa.get(SearchAttributeKey.forKeyword(Names.SA_VERSION))).isEqualTo("v1.0.0");
    assertThat(sa.get(SearchAttributeKey.forKeyword(Names.SA_ACCOUNT))).isEqualTo(ACCOUNT);
    assertThat(sa.get(SearchAttributeKey.forKeyword(Names.SA_ECR_REPO))).isEqualTo(job.ecrRepo);
    assertThat(sa.get(SearchAttributeKey.forKeyword(Names.SA_STEP))).isEqualTo("done");

    List<HistoryEvent> history = stack.history(job.workflowId);
    List<HistoryEvent> completed = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED).stream()
        .filter(e -> payloadText(e.getActivityTaskCompletedEventAttributes().getResult()).contains("\"imageUrl\""))
        .toList();
    assertThat(completed).hasSize(1);
    String dispatchResult = payloadText(completed.get(0).getActivityTaskCompletedEventAttributes().getResult());
    assertThat(dispatchResult).contains(marker);
    assertThat(result.logs()).contains(marker);

    JsonNode message = stack.awaitResult(job.workflowId);
    assertThat(message.path("status").asText()).isEqualTo("SUCCESS");
    assertThat(message.path("image_url").asText()).isEqualTo(result.imageUrl());
    assertThat(message.path("request_id").asText()).isEqualTo(job.requestId);
    assertThat(message.path("logs").asText()).contains(marker);
  }

  @Test
  void deployJob_brokenDockerfile_buildFailedOnceNotRetriedExecutionFailed() throws Exception {
    Job job = stack.newJob("broken", "v1", run("sh", "-c", "echo compiling; exit 3"));

    WorkflowStub stub = job.start();

    assertThatThrownBy(() -> stub.getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          assertThat(e.getCause()).isInstanceOf(ApplicationFailure.class);
          assertThat(((ApplicationFailure) e.getCause()).getType()).isEqualTo("BUILD_FAILED");
        });
    assertThat(stub.describe().getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
    List<HistoryEvent> history = stack.history(job.workflowId);
    assertThat(dispatchScheduled(history)).as("one dispatch attempt").hasSize(1);
    HistoryEvent failed = events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED).get(0);
    assertThat(failed.getActivityTaskFailedEventAttributes().getFailure().getApplicationFailureInfo().getType())
        .isEqualTo("BUILD_FAILED");

    JsonNode message = stack.awaitResult(job.workflowId);
    assertThat(message.path("status").asText()).isEqualTo("FAILED");
    assertThat(message.path("error_kind").asText()).isEqualTo("BUILD_FAILED");
    assertThat(message.path("attempts").asInt()).isEqualTo(1);
    assertThat(message.path("logs").asText()).contains("compiling");
  }

  @Test
  void deployJob_sixJobsOnTwoWorkers_allSucceedNeverTwoAtOnceOnOneWorker() throws Exception {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String tag = "six" + i + "-" + System.nanoTime();
      jobs.add(stack.newJob("six", "v" + i, run("sh", "-c",
          "echo JOB " + tag + " start $(cat /proc/uptime); sleep 3; echo JOB " + tag + " end $(cat /proc/uptime)")));
    }
    List<WorkflowStub> stubs = new ArrayList<>();
    for (Job job : jobs) {
      stubs.add(job.start());
    }

    // the build interval each job's worker logged (uptime of the shared kernel, read inside the RUN step)
    Map<String, List<double[]>> buildsByWorker = new HashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      DeployResult r = stubs.get(i).getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class);
      assertThat(r.status()).isEqualTo(JobStatus.SUCCESS);
      assertThat(r.attempts()).as("no attempt burnt waiting for a worker").isEqualTo(1);
      buildsByWorker.computeIfAbsent(r.worker(), k -> new ArrayList<>()).add(buildInterval(r.logs()));
      JsonNode message = stack.awaitResult(jobs.get(i).workflowId);
      assertThat(message.path("status").asText()).isEqualTo("SUCCESS");
    }

    assertThat(buildsByWorker.keySet()).as("both workers used")
        .containsExactlyInAnyOrderElementsOf(stack.workers().stream().map(BuildWorker::address).toList());
    buildsByWorker.forEach((worker, spans) -> assertNoOverlap("builds logged by " + worker, spans));
    List<double[]> all = new ArrayList<>();
    buildsByWorker.values().forEach(all::addAll);
    assertThat(overlapsAny(all)).as("two jobs ran at once on different workers: %s", describe(buildsByWorker))
        .isTrue();
  }

  // ---- Temporal

  static String payloadText(io.temporal.api.common.v1.Payloads payloads) {
    StringBuilder sb = new StringBuilder();
    payloads.getPayloadsList().forEach(p -> sb.append(p.getData().toString(StandardCharsets.UTF_8)));
    return sb.toString();
  }

  // ---- intervals

  /** The start and end uptime the job's RUN step printed into the worker's job log. */
  static double[] buildInterval(String logs) {
    Map<String, Double> marks = new HashMap<>();
    Matcher m = UPTIME.matcher(logs);
    while (m.find()) {
      marks.put(m.group(2), Double.parseDouble(m.group(3)));
    }
    assertThat(marks).as("start and end lines in the job log:\n%s", logs).containsKeys("start", "end");
    return new double[] {marks.get("start"), marks.get("end")};
  }

  static void assertNoOverlap(String what, List<double[]> spans) {
    List<double[]> sorted = new ArrayList<>(spans);
    sorted.sort((a, b) -> Double.compare(a[0], b[0]));
    for (int i = 1; i < sorted.size(); i++) {
      assertThat(sorted.get(i)[0]).as("%s overlap: %s", what, describe(Map.of(what, sorted)))
          .isGreaterThanOrEqualTo(sorted.get(i - 1)[1]);
    }
  }

  static boolean overlapsAny(List<double[]> spans) {
    for (int i = 0; i < spans.size(); i++) {
      for (int j = i + 1; j < spans.size(); j++) {
        if (spans.get(i)[0] < spans.get(j)[1] && spans.get(j)[0] < spans.get(i)[1]) {
          return true;
        }
      }
    }
    return false;
  }

  static String describe(Map<String, List<double[]>> spans) {
    StringBuilder sb = new StringBuilder();
    spans.forEach((k, v) -> {
      sb.append(k).append(':');
      v.forEach(s -> sb.append(" [").append(s[0]).append(", ").append(s[1]).append(']'));
      sb.append('\n');
    });
    return sb.toString();
  }
}
