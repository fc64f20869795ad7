package io.blacktree.bridge;

import io.opentelemetry.api.OpenTelemetry;
import io.blacktree.core.JobStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.ReplyTarget;
import io.blacktree.core.RequestParser;
import io.blacktree.core.RequestValidator;
import io.blacktree.core.ValidationPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessageHandlerTest {
  private static final String VALID = "{\"repo_url\": \"username/reponame\", \"branch\": \"main\","
      + " \"deployment_version\": \"v1.0.3\", \"aws_account\": \"123456789012\", \"ecr_repo\": \"app-images\"}";
  private static final String TEN_DIGITS = VALID.replace("123456789012", "1234567890");

  private final FakeStarter starter = new FakeStarter();
  private final FakeOutbox outbox = new FakeOutbox();
  private final BridgeMetrics metrics = new BridgeMetrics(new SimpleMeterRegistry());
  private final MessageHandler handler = new MessageHandler(
      new RequestParser(new RequestValidator(ValidationPolicy.defaults())), starter, outbox, outbox, metrics,
      new MessageTracing(OpenTelemetry.noop().getTracer("blacktree-bridge"), "jobs.build"));

  @Test
  void handle_validFreshMessage_startsWithFreshPolicyAndAcks() {
    MessageHandler.Decision d = handler.handle(message(VALID, false, "replies", "c-1"));

    assertThat(d).isEqualTo(MessageHandler.Decision.ACK);
    assertThat(starter.starts).containsExactly("fresh:deploy:123456789012:us-east-1:app-images:v1.0.3");
    assertThat(starter.replyTargets).containsExactly(new ReplyTarget("replies", "c-1"));
    assertThat(outbox.deadLettered).isEmpty();
    assertThat(metrics.started()).isEqualTo(1.0);
  }

  @Test
  void handle_redeliveredMessage_startsWithRedeliveredPolicy() {
    handler.handle(message(VALID, true, null, null));

    assertThat(starter.starts).containsExactly("redelivered:deploy:123456789012:us-east-1:app-images:v1.0.3");
  }

  @Test
  void handle_tenDigitAccount_deadLettersWithReasonAndRepliesRejected() {
    MessageHandler.Decision d = handler.handle(message(TEN_DIGITS, false, "replies", "c-2"));

    assertThat(d).isEqualTo(MessageHandler.Decision.ACK);
    assertThat(outbox.deadLettered).containsExactly(List.of("aws_account: must be 12 digits"));
    assertThat(outbox.replies).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(JobStatus.REJECTED);
      assertThat(r.errorKind()).isEqualTo(ErrorKind.INVALID_REQUEST);
      assertThat(r.errorMessage()).isEqualTo("aws_account: must be 12 digits");
    });
    assertThat(outbox.rejectedPublished).hasSize(1);
    assertThat(starter.starts).isEmpty();
    assertThat(metrics.deadLettered()).isEqualTo(1.0);
  }

  @Test
  void handle_invalidWithoutReplyTo_deadLettersWithoutReply() {
    handler.handle(message("not json", false, null, null));

    assertThat(outbox.deadLettered).hasSize(1);
    assertThat(outbox.replies).isEmpty();
  }

  @Test
  void handle_deadLetterPublishFails_requeuesWithoutReply() {
    outbox.failDeadLetter = true;

    MessageHandler.Decision d = handler.handle(message(TEN_DIGITS, false, "replies", "c"));

    assertThat(d).isEqualTo(MessageHandler.Decision.REQUEUE);
    assertThat(outbox.replies).isEmpty();
    assertThat(metrics.deadLettered()).isZero();
  }

  @Test
  void handle_temporalUnavailable_holds() {
    starter.failure = new TemporalUnavailableException("start: UNAVAILABLE", null);

    MessageHandler.Decision d = handler.handle(message(VALID, false, null, null));

    assertThat(d).isEqualTo(MessageHandler.Decision.HOLD);
    assertThat(outbox.deadLettered).isEmpty();
    assertThat(metrics.startFailures()).isEqualTo(1.0);
  }

  @Test
  void handle_startRefused_deadLettersWithTemporalReason() {
    starter.failure = new StartRefusedException("start refused: INVALID_ARGUMENT: bad", null);

    MessageHandler.Decision d = handler.handle(message(VALID, false, "replies", "c"));

    assertThat(d).isEqualTo(MessageHandler.Decision.ACK);
    assertThat(outbox.deadLettered).containsExactly(List.of("temporal: start refused: INVALID_ARGUMENT: bad"));
    assertThat(outbox.replies).singleElement().extracting(DeployResult::status).isEqualTo(JobStatus.REJECTED);
  }

  @Test
  void handle_duplicateOfFinishedJob_repliesWithItsResult() {
    starter.duplicate = true;
    starter.finished = new DeployResult(JobStatus.SUCCESS, "wf", null, "img", null, null, null, null, 1, null,
        null, null, null, null, null, null);

    MessageHandler.Decision d = handler.handle(message(VALID, true, "replies", "c-9"));

    assertThat(d).isEqualTo(MessageHandler.Decision.ACK);
    assertThat(outbox.replies).containsExactly(starter.finished);
    assertThat(outbox.replyTargets).containsExactly(new ReplyTarget("replies", "c-9"));
    assertThat(metrics.duplicate()).isEqualTo(1.0);
  }

  @Test
  void handle_duplicateOfRunningJob_joinsWithoutReply() {
    starter.duplicate = true;

    MessageHandler.Decision d = handler.handle(message(VALID, false, "replies", "c"));

    assertThat(d).isEqualTo(MessageHandler.Decision.ACK);
    assertThat(starter.joined).containsExactly(new ReplyTarget("replies", "c"));
    assertThat(outbox.replies).isEmpty();
  }

  @Test
  void requestIdOf_rejectedJsonWithRequestId_echoesIt() {
    byte[] body = "{\"request_id\": \"api-42\", \"aws_account\": 5}".getBytes(StandardCharsets.UTF_8);

    assertThat(MessageHandler.requestIdOf(body)).isEqualTo("api-42");
    assertThat(MessageHandler.requestIdOf("{{".getBytes(StandardCharsets.UTF_8))).isNull();
  }

  private static InboundMessage message(String body, boolean redelivered, String replyTo, String correlationId) {
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder().replyTo(replyTo).correlationId(correlationId).build();
    return new InboundMessage(body.getBytes(StandardCharsets.UTF_8), redelivered, props);
  }

  private static final class FakeStarter implements JobStarter {
    final List<String> starts = new ArrayList<>();
    final List<ReplyTarget> replyTargets = new ArrayList<>();
    final List<ReplyTarget> joined = new ArrayList<>();
    StartException failure;
    boolean duplicate;
    DeployResult finished;

    @Override
    public Outcome start(BuildRequest request, ReplyTarget replyTarget, boolean redelivered)
        throws StartException {
      if (failure != null) {
        throw failure;
      }
      String id = "deploy:" + request.awsAccount() + ":" + request.region() + ":" + request.ecrRepo() + ":"
          + request.deploymentVersion();
      starts.add((redelivered ? "redelivered:" : "fresh:") + id);
      if (replyTarget != null) {
        replyTargets.add(replyTarget);
      }
      return duplicate ? new Duplicate(id) : new Started(id, "run-1");
    }

    @Override
    public Optional<DeployResult> join(String workflowId, ReplyTarget replyTarget) {
      if (finished == null) {
        joined.add(replyTarget);
      }
      return Optional.ofNullable(finished);
    }
  }

  private static final class FakeOutbox implements DeadLetterSink, ReplySink {
    final List<List<String>> deadLettered = new ArrayList<>();
    final List<DeployResult> replies = new ArrayList<>();
    final List<ReplyTarget> replyTargets = new ArrayList<>();
    final List<DeployResult> rejectedPublished = new ArrayList<>();
    boolean failDeadLetter;

    @Override
    public void deadLetter(InboundMessage message, List<String> reasons) throws PublishFailedException {
      if (failDeadLetter) {
        throw new PublishFailedException("nacked", null);
      }
      deadLettered.add(reasons);
    }

    @Override
    public void reply(ReplyTarget target, DeployResult result, String messageId) {
      replies.add(result);
      replyTargets.add(target);
    }

    @Override
    public void publishRejected(DeployResult result, String messageId) {
      rejectedPublished.add(result);
    }
  }
}
