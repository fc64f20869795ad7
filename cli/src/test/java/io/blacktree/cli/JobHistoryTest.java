package io.blacktree.cli;

import io.blacktree.core.JobStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.blacktree.core.BuildReuse;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.temporal.api.common.v1.ActivityType;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.failure.v1.ApplicationFailureInfo;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.ActivityTaskFailedEventAttributes;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionCompletedEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionFailedEventAttributes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobHistoryTest {

  private static Payloads json(String text) {
    return Payloads.newBuilder().addPayloads(Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFrom(text, StandardCharsets.UTF_8))).build();
  }

  private static Failure buildFailed(String details) {
    return Failure.newBuilder().setMessage("build failed").setApplicationFailureInfo(
        ApplicationFailureInfo.newBuilder().setType("BUILD_FAILED").setNonRetryable(true).setDetails(json(details)))
        .build();
  }

  @Test
  void attemptsAndResult_failedBuild_errorKindLogsAndResultDetails() {
    History history = History.newBuilder()
        .addEvents(HistoryEvent.newBuilder().setEventId(5).setActivityTaskScheduledEventAttributes(
            ActivityTaskScheduledEventAttributes.newBuilder().setActivityType(ActivityType.newBuilder().setName("Dispatch"))))
        .addEvents(HistoryEvent.newBuilder().setEventId(7).setActivityTaskFailedEventAttributes(
            ActivityTaskFailedEventAttributes.newBuilder().setScheduledEventId(5).setFailure(buildFailed(
                "{\"worker\":\"127.0.0.1:50051\",\"errorKind\":\"BUILD_FAILED\",\"message\":\"RUN exited 3\","
                    + "\"logs\":\"Step 1/2\\nexit 3\"}"))))
        .addEvents(HistoryEvent.newBuilder().setEventId(11).setWorkflowExecutionFailedEventAttributes(
            WorkflowExecutionFailedEventAttributes.newBuilder().setFailure(buildFailed(
                "{\"status\":\"FAILED\",\"workflow_id\":\"deploy:x\",\"attempts\":1,\"error_kind\":\"BUILD_FAILED\"}"))))
        .build();
    JobHistory job = new JobHistory(history);

    List<Attempt> attempts = job.attempts();
    DeployResult result = job.result("deploy:x").orElseThrow();

    assertThat(attempts).hasSize(1);
    assertThat(attempts.get(0).outcome()).isEqualTo("FAILED");
    assertThat(attempts.get(0).errorKind()).isEqualTo("BUILD_FAILED");
    assertThat(attempts.get(0).worker()).isEqualTo("127.0.0.1:50051");
    assertThat(attempts.get(0).message()).isEqualTo("RUN exited 3");
    assertThat(attempts.get(0).logs()).contains("exit 3");
    assertThat(result.status()).isEqualTo(JobStatus.FAILED);
    assertThat(result.errorKind()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(ResultPrinter.exitCode(result)).isEqualTo(1);
  }

  @Test
  void attempts_dispatchStillRunning_lastIsRunning() {
    History history = History.newBuilder()
        .addEvents(HistoryEvent.newBuilder().setEventId(5).setActivityTaskScheduledEventAttributes(
            ActivityTaskScheduledEventAttributes.newBuilder().setActivityType(ActivityType.newBuilder().setName("Dispatch"))))
        .addEvents(HistoryEvent.newBuilder().setEventId(6).setActivityTaskScheduledEventAttributes(
            ActivityTaskScheduledEventAttributes.newBuilder().setActivityType(ActivityType.newBuilder().setName("Publish"))))
        .build();

    assertThat(new JobHistory(history).attempts()).extracting(Attempt::outcome).containsExactly("RUNNING");
    assertThat(new JobHistory(history).result("x")).isEmpty();
  }

  @Test
  void result_succeededWithReuse_showPrintsTheRegistryCacheCountBesideTheOtherReuseFigures() {
    History history = History.newBuilder()
        .addEvents(HistoryEvent.newBuilder().setEventId(20).setWorkflowExecutionCompletedEventAttributes(
            WorkflowExecutionCompletedEventAttributes.newBuilder().setResult(json("{\"status\":\"SUCCESS\","
                + "\"workflow_id\":\"deploy:x\",\"image_url\":\"127.0.0.1:5000/app:v1\",\"attempts\":1,"
                + "\"reuse\":{\"cached_build_steps\":4,\"remote_cached_build_steps\":3,\"layers_in_registry\":2,"
                + "\"layers_pushed\":1,\"mirror_hit\":true,\"already_pushed\":false}}"))))
        .build();
    DeployResult result = new JobHistory(history).result("deploy:x").orElseThrow();
    StringWriter text = new StringWriter();

    ResultPrinter.print(result, new PrintWriter(text));

    assertThat(result.reuse()).isEqualTo(new BuildReuse(4, 3, 2, 1, true, false));
    assertThat(text.toString()).contains("image:      127.0.0.1:5000/app:v1\n")
        .contains("reuse:      4 cached steps (3 from the registry cache), 2 layers already in registry, 1 pushed, "
            + "git mirror hit\n");
  }

  @Test
  void result_succeededWithoutReuse_noReuseLine() {
    History history = History.newBuilder()
        .addEvents(HistoryEvent.newBuilder().setEventId(20).setWorkflowExecutionCompletedEventAttributes(
            WorkflowExecutionCompletedEventAttributes.newBuilder().setResult(json(
                "{\"status\":\"SUCCESS\",\"workflow_id\":\"deploy:x\",\"attempts\":1}"))))
        .build();
    StringWriter text = new StringWriter();

    ResultPrinter.print(new JobHistory(history).result("deploy:x").orElseThrow(), new PrintWriter(text));

    assertThat(text.toString()).contains("status:     SUCCESS").doesNotContain("reuse:");
  }
}
