package io.blacktree.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.blacktree.core.Readiness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoints on {@code --metrics-port} (JDK HTTP server, GET only):
 * {@code /metrics} (Prometheus text format), {@code /health/live} (200 while the process runs) and
 * {@code /health/ready} (200 {@code {"status":"ready"}}, or 503 {@code {"status":"not ready","failing":[...]}}
 * naming each dependency that did not answer).
 */
final class OpsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService executor;

  private OpsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts serving.
   *
   * @param metrics   the Prometheus text of every meter, at each scrape
   * @param readiness the process's dependency check
   * @throws IOException the port is taken
   */
  static OpsServer start(String bind, int port, Supplier<String> metrics, Readiness readiness) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 16);
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "blacktree-ops-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/metrics", ex -> handle(ex, () -> new Reply(200,
        "text/plain; version=0.0.4; charset=utf-8", metrics.get())));
    server.createContext("/health/live", ex -> handle(ex, () -> json(200, Map.of("status", "live"))));
    server.createContext("/health/ready", ex -> handle(ex, () -> ready(readiness.check())));
    server.createContext("/", ex -> handle(ex, () -> new Reply(404, "text/plain; charset=utf-8",
        "not found: try /metrics, /health/live, /health/ready\n")));
    server.start();
    log.info("metrics and health on http://{}:{}/ (/metrics, /health/live, /health/ready)", bind,
        server.getAddress().getPort());
    return new OpsServer(server, executor);
  }

  /** The bound port (useful with port 0 in tests). */
  int port() {
    return server.getAddress().getPort();
  }

  private record Reply(int status, String contentType, String body) {}

  private static Reply ready(Readiness.Status status) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status.ready() ? "ready" : "not ready");
    if (!status.ready()) {
      body.put("failing", status.failing());
    }
    return json(status.ready() ? 200 : 503, body);
  }

  private static Reply json(int status, Map<String, ?> body) {
    try {
      return new Reply(status, "application/json", JSON.writeValueAsString(body) + "\n");
    } catch (IOException e) {
      return new Reply(500, "text/plain; charset=utf-8", "cannot render\n");
    }
  }

  private static void handle(HttpExchange ex, Supplier<Reply> handler) throws IOException {
    try (ex) {
      Reply reply;
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        reply = new Reply(405, "text/plain; charset=utf-8", "GET only\n");
      } else {
        try {
          reply = handler.get();
        } catch (RuntimeException e) {
          log.warn("{} failed: {}", ex.getRequestURI().getPath(), e.toString());
          reply = new Reply(500, "text/plain; charset=utf-8", "internal error\n");
        }
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", reply.contentType());
      boolean head = "HEAD".equals(ex.getRequestMethod());
      ex.sendResponseHeaders(reply.status(), head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
