package io.blacktree.e2e;

import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import static io.blacktree.e2e.support.BlacktreeStack.app;
import static io.blacktree.e2e.support.BlacktreeStack.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.e2e.support.BlacktreeStack;
import io.blacktree.e2e.support.HeadlessChromium;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What ops see in Temporal's Web UI (the dev server's, {@code http://127.0.0.1:8233}) for a finished and a
 * failed job: the job's build output and, for the failure, its error kind, rendered on the workflow page in a
 * headless Debian {@code chromium}. Screenshots go to {@code target/screenshots/}.
 */
class WebUiE2EIT {
  private static final String UI = System.getenv().getOrDefault("BLACKTREE_TEST_TEMPORAL_UI", "http://127.0.0.1:8233");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final Duration JOB_BOUND = Duration.ofSeconds(120);
  private static final Duration PAGE_BOUND = Duration.ofSeconds(60);

  @TempDir static Path dir;
  static BlacktreeStack stack;
  static HeadlessChromium browser;

  @BeforeAll
  static void start() throws Exception {
    require(HeadlessChromium.available(), HeadlessChromium.BINARY + " is not installed (scripts/services install)");
    require(uiAnswers(), "Temporal Web UI does not answer at " + UI + " (scripts/services start temporal)");
    // the engine builder: the failed job's page is checked for the engine's own RUN failure text
    stack = BlacktreeStack.start(WebUiE2EIT.class, dir,
        component -> component.equals("worker") ? List.of("--builder", "engine") : List.of());
    browser = HeadlessChromium.start(1400, 2000);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void workflowPage_finishedJob_showsItsBuildOutput() throws Exception {
    String repo = "acme/" + stack.ids().next("ui-ok");
    String nonce = Long.toString(System.nanoTime());
    // the Dockerfile says "$((40+2))", the build prints 42: the page shows build output, not the Dockerfile
    stack.repos().create(repo, "main", app("ok", run("sh", "-c", "echo built-" + nonce + "-$((40+2))")));
    String workflowId = stack.publish(repo, "main", "v1", stack.newEcrRepo("ui-ok"));
    JsonNode result = stack.awaitResult(workflowId, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");

    browser.navigate(workflowPage(workflowId));
    String page = browser.awaitText(List.of(workflowId, "Completed", "built-" + nonce + "-42",
        result.path("image_url").asText()), PAGE_BOUND);
    Path shot = browser.screenshot(SCREENSHOTS.resolve("webui-finished-job.png"));
    Path logs = screenshotAt("built-" + nonce + "-42", "webui-finished-job-logs.png");

    assertThat(page).contains("\"status\": \"SUCCESS\"");
    assertPng(shot);
    assertPng(logs);
  }

  @Test
  void workflowPage_failedJob_showsErrorKindAndBuildOutput() throws Exception {
    String repo = "acme/" + stack.ids().next("ui-broken");
    String nonce = Long.toString(System.nanoTime());
    stack.repos().create(repo, "main",
        app("broken", run("sh", "-c", "echo failing-" + nonce + "-$((40+2)); exit 3")));
    String workflowId = stack.publish(repo, "main", "v1", stack.newEcrRepo("ui-broken"));
    JsonNode result = stack.awaitResult(workflowId, JOB_BOUND);
    assertThat(result.path("error_kind").asText()).as(result.toString()).isEqualTo("BUILD_FAILED");

    browser.navigate(workflowPage(workflowId));
    String page = browser.awaitText(List.of(workflowId, "Failed", "BUILD_FAILED", "failing-" + nonce + "-42"),
        PAGE_BOUND);
    Path shot = browser.screenshot(SCREENSHOTS.resolve("webui-failed-job.png"));
    Path logs = screenshotAt("failing-" + nonce + "-42", "webui-failed-job-logs.png");

    assertThat(page).contains("\"type\": \"BUILD_FAILED\"").contains("returned a non-zero code: 3");
    assertPng(shot);
    assertPng(logs);
  }

  /**
   * Scrolls the result box to the line showing {@code text}, gives the editor a moment to render it, then scrolls the
   * element showing it into view and takes a screenshot.
   */
  private static Path screenshotAt(String text, String name) throws Exception {
    browser.scrollEditorsTo(text);
    Thread.sleep(700);
    assertThat(browser.scrollIntoView(text)).as("an element showing " + text).isTrue();
    return browser.screenshot(SCREENSHOTS.resolve(name));
  }

  private static String workflowPage(String workflowId) {
    return UI + "/namespaces/" + ServiceEndpoints.fromEnvironment().temporalNamespace() + "/workflows/"
        + URLEncoder.encode(workflowId, StandardCharsets.UTF_8);
  }

  private static void assertPng(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes.length).as(file + " size").isGreaterThan(10_000);
    assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  private static boolean uiAnswers() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(UI + "/").toURL().openConnection();
      c.setConnectTimeout(3000);
      c.setReadTimeout(5000);
      return c.getResponseCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private static void require(boolean condition, String message) {
    ServiceRequirement.requireThat(condition, message);
  }
}
