package io.blacktree.testsupport.git;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Smart HTTP git on 127.0.0.1 and an ephemeral port: {@code git http-backend} run as a CGI per request
 * behind {@code com.sun.net.httpserver}. With a token set, every request needs HTTP basic auth whose
 * password is that token (any user name), as GitHub's token auth does; otherwise 401.
 */
public final class GitHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final Path projectRoot;
  private final String token;
  private final AtomicInteger unauthorized = new AtomicInteger();

  private GitHttpServer(Path projectRoot, String token) throws IOException {
    this.projectRoot = projectRoot;
    this.token = token;
    this.executor = Executors.newCachedThreadPool();
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** Serves {@code projectRoot} without authentication. */
  public static GitHttpServer start(Path projectRoot) {
    return start(projectRoot, null);
  }

  /** Serves {@code projectRoot}; when {@code token} is non-null every request needs it as basic-auth password. */
  public static GitHttpServer start(Path projectRoot, String token) {
    try {
      return new GitHttpServer(projectRoot, token);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:<port>/}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** How many requests were refused for missing or wrong credentials. */
  public int unauthorizedCount() {
    return unauthorized.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (token != null && !authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
        unauthorized.incrementAndGet();
        ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"git\"");
        ex.sendResponseHeaders(401, -1);
        return;
      }
      runBackend(ex);
    }
  }

  private boolean authorized(String header) {
    if (header == null || !header.startsWith("Basic ")) {
      return false;
    }
    String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    int colon = decoded.indexOf(':');
    return colon >= 0 && decoded.substring(colon + 1).equals(token);
  }

  private void runBackend(HttpExchange ex) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("git", "http-backend").redirectError(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> env = pb.environment();
    env.put("GIT_PROJECT_ROOT", projectRoot.toString());
    env.put("GIT_HTTP_EXPORT_ALL", "1");
    env.put("REQUEST_METHOD", ex.getRequestMethod());
    env.put("PATH_INFO", ex.getRequestURI().getRawPath());
    env.put("QUERY_STRING", ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
    env.put("REMOTE_ADDR", "127.0.0.1");
    env.put("REMOTE_USER", "test");
    putHeader(ex, env, "Content-Type", "CONTENT_TYPE");
    putHeader(ex, env, "Content-Encoding", "HTTP_CONTENT_ENCODING");
    putHeader(ex, env, "Git-Protocol", "GIT_PROTOCOL");
    Process p = pb.start();
    Thread feeder = new Thread(() -> {
      try (InputStream in = ex.getRequestBody(); OutputStream out = p.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException ignored) {
        // the backend may exit before reading everything
      }
    });
    feeder.start();
    byte[] output = p.getInputStream().readAllBytes();
    writeCgiResponse(ex, output);
  }

  private static void putHeader(HttpExchange ex, Map<String, String> env, String header, String var) {
    String v = ex.getRequestHeaders().getFirst(header);
    if (v != null) {
      env.put(var, v);
    }
  }

  private static void writeCgiResponse(HttpExchange ex, byte[] output) throws IOException {
    int bodyStart = 0;
    int status = 200;
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int i = 0; i < output.length; i++) {
      if (output[i] != '\n') {
        line.write(output[i]);
        continue;
      }
      String header = line.toString(StandardCharsets.ISO_8859_1).replaceAll("\r$", "");
      line.reset();
      if (header.isEmpty()) {
        bodyStart = i + 1;
        break;
      }
      int colon = header.indexOf(':');
      String name = header.substring(0, colon).trim();
      String value = header.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Status")) {
        status = Integer.parseInt(value.split(" ")[0]);
      } else {
        ex.getResponseHeaders().add(name, value);
      }
    }
    int length = output.length - bodyStart;
    ex.sendResponseHeaders(status, length == 0 ? -1 : length);
    if (length > 0) {
      ex.getResponseBody().write(output, bodyStart, length);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
