package io.blacktree.e2e.support;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace endpoint inside the test ({@code POST /v1/traces}, protobuf): it keeps every span it is
 * sent, with its service name, so a test can check one trace across processes. The request is decoded by
 * field number (ExportTraceServiceRequest -> ResourceSpans -> ScopeSpans -> Span), which needs no generated
 * OTLP classes.
 */
public final class OtlpReceiver implements AutoCloseable {

  /** One received span; IDs in lower-case hex, {@code parentSpanId} empty for a root span. */
  public record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
      Map<String, String> attributes) {}

  private final HttpServer server;
  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();

  private OtlpReceiver(HttpServer server) {
    this.server = server;
  }

  /** Listens on an ephemeral loopback port. */
  public static OtlpReceiver start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    OtlpReceiver receiver = new OtlpReceiver(server);
    server.createContext("/v1/traces", receiver::handle);
    server.start();
    return receiver;
  }

  /** The base URL to give {@code --otlp-endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /** Requests that could not be decoded (a test asserts there are none). */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  /** Waits until the spans received satisfy {@code condition}; returns them either way after {@code bound}. */
  public List<ReceivedSpan> await(Predicate<List<ReceivedSpan>> condition, Duration bound) throws InterruptedException {
    Instant end = Instant.now().plus(bound);
    while (!condition.test(spans()) && Instant.now().isBefore(end)) {
      Thread.sleep(200);
    }
    return spans();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
          ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      try {
        spans.addAll(decode(body));
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        errors.add(e.toString());
      }
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1);
    }
  }

  static List<ReceivedSpan> decode(byte[] request) throws InvalidProtocolBufferException {
    List<ReceivedSpan> out = new ArrayList<>();
    for (ByteString resourceSpans : fields(UnknownFieldSet.parseFrom(request), 1)) {
      UnknownFieldSet rs = UnknownFieldSet.parseFrom(resourceSpans);
      String service = "";
      for (ByteString resource : fields(rs, 1)) {
        service = attributes(UnknownFieldSet.parseFrom(resource), 1).getOrDefault("service.name", "");
      }
      for (ByteString scopeSpans : fields(rs, 2)) {
        for (ByteString span : fields(UnknownFieldSet.parseFrom(scopeSpans), 2)) {
          UnknownFieldSet s = UnknownFieldSet.parseFrom(span);
          out.add(new ReceivedSpan(service, hex(s, 1), hex(s, 2), hex(s, 4), text(s, 5), attributes(s, 9)));
        }
      }
    }
    return out;
  }

  /** KeyValue entries (key = 1, value = AnyValue whose string_value = 1) of repeated field {@code number}. */
  private static Map<String, String> attributes(UnknownFieldSet message, int number)
      throws InvalidProtocolBufferException {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (ByteString kv : fields(message, number)) {
      UnknownFieldSet pair = UnknownFieldSet.parseFrom(kv);
      String key = text(pair, 1);
      String value = "";
      for (ByteString any : fields(pair, 2)) {
        value = text(UnknownFieldSet.parseFrom(any), 1);
      }
      out.put(key, value);
    }
    return out;
  }

  private static List<ByteString> fields(UnknownFieldSet message, int number) {
    UnknownFieldSet.Field f = message.getField(number);
    return f == null ? List.of() : f.getLengthDelimitedList();
  }

  private static String text(UnknownFieldSet message, int number) {
    List<ByteString> values = fields(message, number);
    return values.isEmpty() ? "" : values.get(0).toStringUtf8();
  }

  private static String hex(UnknownFieldSet message, int number) {
    List<ByteString> values = fields(message, number);
    return values.isEmpty() ? "" : HexFormat.of().formatHex(values.get(0).toByteArray());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
