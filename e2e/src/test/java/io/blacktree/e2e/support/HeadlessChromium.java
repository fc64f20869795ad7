package io.blacktree.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's {@code chromium} in headless mode, driven over the Chrome DevTools protocol with the JDK's own
 * HTTP client and WebSocket (no WebDriver): one page that navigates, reads its rendered text and takes
 * screenshots. Each instance has a fresh profile directory and is killed on {@link #close}.
 */
public final class HeadlessChromium implements AutoCloseable {
  /** The browser binary: {@code BLACKTREE_TEST_CHROMIUM} or {@code chromium} on the PATH. */
  public static final String BINARY = System.getenv().getOrDefault("BLACKTREE_TEST_CHROMIUM", "chromium");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_BOUND = Duration.ofSeconds(30);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** Whether the browser binary can be run here. */
  public static boolean available() {
    try {
      Process p = new ProcessBuilder(BINARY, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Starts the browser with a blank page of {@code width} x {@code height} and connects to that page. */
  public static HeadlessChromium start(int width, int height) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("bt-chromium-");
    Process process = new ProcessBuilder(BINARY, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        "--window-size=" + width + "," + height, "about:blank")
        .redirectErrorStream(true)
        .redirectOutput(profile.resolve("chromium.log").toFile())
        .start();
    try {
      int port = awaitDevToolsPort(process, profile);
      HttpClient http = HttpClient.newHttpClient();
      JsonNode page = JSON.readTree(http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/json/new?about:blank")).PUT(HttpRequest.BodyPublishers.noBody())
          .timeout(CALL_BOUND).build(), HttpResponse.BodyHandlers.ofString()).body());
      Listener listener = new Listener();
      WebSocket socket = http.newWebSocketBuilder().connectTimeout(CALL_BOUND)
          .buildAsync(URI.create(page.path("webSocketDebuggerUrl").asText()), listener)
          .get(CALL_BOUND.toSeconds(), TimeUnit.SECONDS);
      HeadlessChromium chromium = new HeadlessChromium(process, profile, socket);
      listener.owner = chromium;
      chromium.call("Emulation.setDeviceMetricsOverride",
          Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
      return chromium;
    } catch (IOException | InterruptedException | RuntimeException | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      process.destroyForcibly();
      throw new IOException("chromium did not start: " + e + "; log: " + log(profile), e);
    }
  }

  private static int awaitDevToolsPort(Process process, Path profile) throws IOException, InterruptedException {
    Path file = profile.resolve("DevToolsActivePort");
    Instant end = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(end)) {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file);
        if (!lines.isEmpty() && !lines.get(0).isBlank()) {
          return Integer.parseInt(lines.get(0).trim());
        }
      }
      if (!process.isAlive()) {
        throw new IOException("chromium exited with " + process.exitValue());
      }
      Thread.sleep(100);
    }
    throw new IOException("no DevToolsActivePort within 60 s");
  }

  /** Navigates the page (returns once the navigation is committed, not when the app has rendered). */
  public void navigate(String url) {
    JsonNode result = call("Page.navigate", Map.of("url", url));
    if (result.hasNonNull("errorText")) {
      throw new IllegalStateException("navigation to " + url + " failed: " + result.get("errorText").asText());
    }
  }

  /**
   * What the page shows: its rendered text ({@code document.body.innerText}), then the whole text of each code
   * editor on it (the Web UI's JSON views are CodeMirror editors, which put only the lines near their scroll
   * position into the page; the rest of a long result is a scroll away, and read here from the editor's state).
   */
  public String text() {
    return evaluate("(() => { let out = document.body ? document.body.innerText : '';"
        + forEachEditor("out += String.fromCharCode(10) + v.state.doc.toString();")
        + " return out; })()");
  }

  /**
   * Scrolls each code editor whose text holds {@code text} so that the line holding it is near the top of what the
   * editor shows: the editor's own scroller if it scrolls, else the nearest scrolling ancestor, else the window.
   * The editor renders that line a moment later (it draws only the lines near its scroll position).
   */
  public void scrollEditorsTo(String text) {
    evaluate("(() => { const t = " + jsString(text) + ";"
        + forEachEditor("const i = v.state.doc.toString().indexOf(t); if (i < 0) continue;"
            + " const top = v.lineBlockAt(i).top; const s = v.scrollDOM;"
            + " if (s.scrollHeight > s.clientHeight + 1) { s.scrollTop = Math.max(0, top - 40); continue; }"
            + " let p = v.dom.parentElement;"
            + " while (p && !(p.scrollHeight > p.clientHeight + 1"
            + " && /(auto|scroll)/.test(getComputedStyle(p).overflowY))) { p = p.parentElement; }"
            + " if (p) { p.scrollTop += v.dom.getBoundingClientRect().top - p.getBoundingClientRect().top + top - 40; }"
            + " else { window.scrollBy(0, v.dom.getBoundingClientRect().top + top - 100); }")
        + " return 'ok'; })()");
  }

  /**
   * Scrolls the innermost element whose text holds {@code text} to the middle of the window; false if no element on
   * the page shows it.
   */
  public boolean scrollIntoView(String text) {
    return evaluate("(() => { const t = " + jsString(text) + ";"
        + " const e = [...document.querySelectorAll('body *')].reverse()"
        + ".find(n => n.textContent.includes(t) && ![...n.children].some(c => c.textContent.includes(t)));"
        + " if (!e) return 'missing'; e.scrollIntoView({block: 'center'}); return 'shown'; })()").equals("shown");
  }

  /**
   * JavaScript that runs {@code body} once for each CodeMirror 6 view on the page, with the view in {@code v}
   * ({@code continue} moves to the next one). An element that is not such an editor, or whose view throws, is
   * skipped: its rendered text is all there is.
   */
  private static String forEachEditor(String body) {
    return " for (const c of document.querySelectorAll('.cm-content')) { try {"
        + " const v = c.cmView && c.cmView.view; if (!v || !v.state) continue; " + body
        + " } catch (e) { } }";
  }

  private static String jsString(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** Polls {@link #text} until it contains every one of {@code needles}; returns it, or fails with what it saw. */
  public String awaitText(List<String> needles, Duration bound) throws InterruptedException {
    Instant end = Instant.now().plus(bound);
    String text = "";
    while (Instant.now().isBefore(end)) {
      text = text();
      String seen = text;
      if (needles.stream().allMatch(seen::contains)) {
        return text;
      }
      Thread.sleep(500);
    }
    String seen = text;
    throw new AssertionError("page never showed " + needles.stream().filter(n -> !seen.contains(n)).toList()
        + " within " + bound + "; it showed:\n" + (text.length() > 3000 ? text.substring(0, 3000) : text));
  }

  /** Evaluates {@code expression} in the page (e.g. a click) and returns its value as text. */
  public String evaluate(String expression) {
    return call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true))
        .path("result").path("value").asText("");
  }

  /** Saves a PNG of the whole page to {@code file}. */
  public Path screenshot(Path file) throws IOException {
    JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(shot.path("data").asText()));
    return file;
  }

  private JsonNode call(String method, Map<String, Object> params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", JSON.valueToTree(params));
    try {
      socket.sendText(message.toString(), true).get(CALL_BOUND.toSeconds(), TimeUnit.SECONDS);
      JsonNode response = reply.get(CALL_BOUND.toSeconds(), TimeUnit.SECONDS);
      if (response.has("error")) {
        throw new IllegalStateException(method + " failed: " + response.get("error"));
      }
      return response.path("result");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(method + " got no answer within " + CALL_BOUND, e);
    } finally {
      pending.remove(id);
    }
  }

  private void onMessage(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      if (node.has("id")) {
        CompletableFuture<JsonNode> reply = pending.get(node.get("id").asInt());
        if (reply != null) {
          reply.complete(node);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String log(Path profile) {
    try {
      return Files.readString(profile.resolve("chromium.log"));
    } catch (IOException e) {
      return "(none)";
    }
  }

  @Override
  public void close() {
    socket.abort();
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }

  /** Reassembles text frames and hands each whole message to the owner. */
  private static final class Listener implements WebSocket.Listener {
    private final StringBuilder buffer = new StringBuilder();
    volatile HeadlessChromium owner;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      buffer.append(data);
      if (last) {
        String message = buffer.toString();
        buffer.setLength(0);
        if (owner != null) {
          owner.onMessage(message);
        }
      }
      webSocket.request(1);
      return null;
    }
  }
}
