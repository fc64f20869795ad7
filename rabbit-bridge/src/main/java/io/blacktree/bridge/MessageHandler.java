package io.blacktree.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.ReplyTarget;
import io.blacktree.core.RequestParser;
import io.blacktree.core.Violation;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what happens to one build-queue message, without touching the channel: parse and validate, then
 * dead-letter (invalid, or a start refused for good), start, or join the existing workflow. The caller applies
 * the returned {@link Decision} to the delivery.
 */
final class MessageHandler {
  private static final Logger log = LoggerFactory.getLogger(MessageHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to do with the delivery. */
  enum Decision {
    /** Done with it (started, duplicate answered, or dead-lettered): ack. */
    ACK,
    /** Could not be dead-lettered or answered (broker trouble): requeue it, keep consuming. */
    REQUEUE,
    /** Temporal is unreachable: stop consuming, put this and every in-flight message back, wait. */
    HOLD
  }

  private final RequestParser parser;
  private final JobStarter starter;
  private final DeadLetterSink deadLetters;
  private final ReplySink replies;
  private final BridgeMetrics metrics;
  private final MessageTracing tracing;

  MessageHandler(
      RequestParser parser, JobStarter starter, DeadLetterSink deadLetters, ReplySink replies,
      BridgeMetrics metrics, MessageTracing tracing) {
    this.parser = parser;
    this.starter = starter;
    this.deadLetters = deadLetters;
    this.replies = replies;
    this.metrics = metrics;
    this.tracing = tracing;
  }

  /** Decides inside the message's span (see {@link MessageTracing}). */
  Decision handle(InboundMessage message) {
    return tracing.around(message, () -> decide(message));
  }

  private Decision decide(InboundMessage message) {
    metrics.received.increment();
    RequestParser.Parsed parsed = parser.parse(message.body());
    if (parsed instanceof RequestParser.Rejected rejected) {
      List<String> reasons = rejected.violations().stream().map(Violation::toString).toList();
      return refuse(message, reasons, kindOf(rejected.violations()));
    }
    RequestParser.Accepted accepted = (RequestParser.Accepted) parsed;
    ReplyTarget target = message.replyTarget().orElse(null);
    try {
      JobStarter.Outcome outcome = starter.start(accepted.request(), target, message.redelivered());
      if (outcome instanceof JobStarter.Started started) {
        metrics.started.increment();
        log.info("started {} run {}", started.workflowId(), started.runId());
        return Decision.ACK;
      }
      metrics.duplicate.increment();
      return answerDuplicate(outcome.workflowId(), target);
    } catch (TemporalUnavailableException e) {
      metrics.startFailures.increment();
      log.warn("Temporal unreachable, holding the build queue: {}", e.getMessage());
      return Decision.HOLD;
    } catch (StartRefusedException e) {
      metrics.startFailures.increment();
      return refuse(message, List.of("temporal: " + e.getMessage()), ErrorKind.INTERNAL);
    } catch (StartException e) {
      metrics.startFailures.increment();
      log.warn("start failed, requeueing: {}", e.getMessage());
      return Decision.REQUEUE;
    }
  }

  private Decision answerDuplicate(String workflowId, ReplyTarget target) throws StartException {
    Optional<DeployResult> finished = starter.join(workflowId, target);
    log.info("duplicate request for {} ({})", workflowId, finished.isPresent() ? "finished" : "running");
    if (finished.isPresent() && target != null) {
      try {
        replies.reply(target, finished.get(), "result:" + workflowId);
      } catch (PublishFailedException e) {
        log.warn("reply for duplicate {} failed, requeueing: {}", workflowId, e.getMessage());
        return Decision.REQUEUE;
      }
    }
    return Decision.ACK;
  }

  private Decision refuse(InboundMessage message, List<String> reasons, ErrorKind kind) {
    try {
      deadLetters.deadLetter(message, reasons);
    } catch (PublishFailedException e) {
      log.warn("dead-lettering failed, requeueing: {}", e.getMessage());
      return Decision.REQUEUE;
    }
    metrics.deadLettered.increment();
    log.info("dead-lettered a message: {}", reasons);
    DeployResult result = DeployResult.rejected(requestIdOf(message.body()), kind, String.join("; ", reasons));
    String messageId = "rejected:" + sha256(message.body());
    try {
      replies.publishRejected(result, messageId);
      Optional<ReplyTarget> target = message.replyTarget();
      if (target.isPresent()) {
        replies.reply(target.get(), result, messageId);
      }
    } catch (PublishFailedException e) {
      // The message is safely in the DLQ with its reasons; a lost answer is not worth a second copy there.
      log.warn("rejection reply failed: {}", e.getMessage());
    }
    return Decision.ACK;
  }

  private static ErrorKind kindOf(List<Violation> violations) {
    return violations.stream().allMatch(v -> v.kind() == ErrorKind.POLICY_VIOLATION)
        ? ErrorKind.POLICY_VIOLATION
        : ErrorKind.INVALID_REQUEST;
  }

  /** The request_id of a body that is a JSON object with a short string request_id, echoed in the rejection. */
  static String requestIdOf(byte[] body) {
    if (body == null || body.length == 0 || body.length > RequestParser.MAX_BODY_BYTES) {
      return null;
    }
    try {
      JsonNode id = JSON.readTree(body).get("request_id");
      if (id != null && id.isTextual() && id.asText().matches("[A-Za-z0-9_.:-]{1,128}")) {
        return id.asText();
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not JSON: no request_id to echo
    }
    return null;
  }

  static String sha256(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body == null ? new byte[0] : body);
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

}
