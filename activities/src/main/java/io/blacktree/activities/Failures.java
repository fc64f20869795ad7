package io.blacktree.activities;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.LogBuffer;
import io.blacktree.core.SecretRedactor;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;

/** Builds the dispatch activity's failures: typed by {@link ErrorKind}, details bounded and redacted. */
final class Failures {
  static final int MAX_MESSAGE_BYTES = 2048;

  private final SecretRedactor redactor;

  Failures(SecretRedactor redactor) {
    this.redactor = redactor;
  }

  ApplicationFailure of(ErrorKind kind, String worker, String message, String logs) {
    String msg = message(message);
    DispatchFailure details = new DispatchFailure(worker, kind, msg, bound(logs));
    String text = kind.name() + (worker == null ? "" : " on " + worker) + ": " + msg;
    return kind.retryable()
        ? ApplicationFailure.newFailure(text, kind.name(), details)
        : ApplicationFailure.newNonRetryableFailure(text, kind.name(), details);
  }

  /** Redacted and within {@link LogBuffer#DEFAULT_MAX_BYTES}, keeping head and tail of a longer log. */
  String bound(String logs) {
    if (logs == null || logs.isEmpty()) {
      return "";
    }
    String redacted = redactor.redact(logs);
    if (redacted.getBytes(StandardCharsets.UTF_8).length <= LogBuffer.DEFAULT_MAX_BYTES) {
      return redacted;
    }
    LogBuffer buffer = new LogBuffer(redactor);
    buffer.add(redacted);
    return buffer.render();
  }

  String message(String message) {
    String m = message == null ? "" : redactor.redact(message);
    byte[] b = m.getBytes(StandardCharsets.UTF_8);
    return b.length <= MAX_MESSAGE_BYTES ? m : new String(b, 0, MAX_MESSAGE_BYTES, StandardCharsets.UTF_8) + " [cut]";
  }
}
