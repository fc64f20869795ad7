package io.blacktree.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.blacktree.core.SecretRedactor;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JSON object per log line: {@code ts} (ISO-8601 UTC), {@code level}, {@code logger}, {@code thread},
 * {@code msg}, then every MDC field (a job's {@code workflow_id}, {@code job_id}, {@code attempt},
 * {@code worker}), and {@code error} (class, message, first frames) when an exception was logged. Message and
 * error text go through {@link SecretRedactor}'s patterns (URL userinfo, bearer tokens, AWS keys,
 * {@code password=...}).
 */
final class JsonLogLayout extends LayoutBase<ILoggingEvent> {
  private static final int MAX_FRAMES = 20;
  private final JsonFactory json = new JsonFactory();
  private final SecretRedactor redactor = new SecretRedactor();

  @Override
  public String doLayout(ILoggingEvent event) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("msg", redactor.redact(event.getFormattedMessage()));
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null) {
        for (Map.Entry<String, String> e : new TreeMap<>(mdc).entrySet()) {
          if (!isReserved(e.getKey())) {
            g.writeStringField(e.getKey(), redactor.redact(e.getValue()));
          }
        }
      }
      if (event.getThrowableProxy() != null) {
        g.writeStringField("error", redactor.redact(render(event.getThrowableProxy())));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.append(System.lineSeparator()).toString();
  }

  private static boolean isReserved(String key) {
    return switch (key) {
      case "ts", "level", "logger", "thread", "msg", "error" -> true;
      default -> false;
    };
  }

  private static String render(IThrowableProxy t) {
    StringBuilder sb = new StringBuilder();
    for (IThrowableProxy p = t; p != null; p = p.getCause()) {
      if (p != t) {
        sb.append("\nCaused by: ");
      }
      sb.append(p.getClassName()).append(": ").append(p.getMessage());
      StackTraceElementProxy[] frames = p.getStackTraceElementProxyArray();
      for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
        sb.append("\n\tat ").append(frames[i].getStackTraceElement());
      }
    }
    return sb.toString();
  }
}
