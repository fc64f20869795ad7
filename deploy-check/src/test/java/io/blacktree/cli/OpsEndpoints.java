package io.blacktree.cli;

import io.blacktree.core.Readiness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paths the ops server of {@code --metrics-port} really serves, asked of a real {@link OpsServer} (in this
 * package only because the server is package-private to the CLI): an unknown path answers 404 naming the served
 * ones, and each named path must then answer something other than 404. The manifests' probe and scrape paths are
 * checked against this set, exactly (the JDK server would also answer prefixes such as {@code /health/lively}).
 */
public final class OpsEndpoints {
  private static final Pattern PATH = Pattern.compile("/[a-z][a-z/]*");

  private OpsEndpoints() {}

  /** Starts an ops server on an ephemeral loopback port and returns the paths it serves. */
  public static Set<String> served() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (OpsServer server = OpsServer.start("127.0.0.1", 0, () -> "", Readiness.Status::ok)) {
      HttpResponse<String> unknown = get(http, server, "/blacktree-deploy-check-unknown");
      if (unknown.statusCode() != 404) {
        throw new IllegalStateException("an unknown path answered " + unknown.statusCode() + ", not 404");
      }
      Set<String> served = new TreeSet<>();
      Matcher m = PATH.matcher(unknown.body());
      while (m.find()) {
        if (get(http, server, m.group()).statusCode() != 404) {
          served.add(m.group());
        }
      }
      return served;
    }
  }

  private static HttpResponse<String> get(HttpClient http, OpsServer server, String path)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
