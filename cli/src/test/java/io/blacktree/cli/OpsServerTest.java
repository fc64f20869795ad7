package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.core.Readiness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OpsServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(OpsServer server, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthReady_dependencyDownThenBack_503NamingItThen200() throws Exception {
    AtomicReference<Readiness.Status> status = new AtomicReference<>(Readiness.Status.failing("rabbitmq: down"));
    try (OpsServer server = OpsServer.start("127.0.0.1", 0, () -> "", status::get)) {
      HttpResponse<String> down = get(server, "/health/ready");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(new ObjectMapper().readTree(down.body()).path("failing").get(0).asText()).isEqualTo("rabbitmq: down");

      status.set(Readiness.Status.ok());
      HttpResponse<String> up = get(server, "/health/ready");
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.body()).contains("\"ready\"");
      assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void metrics_registryWithCounter_prometheusText() throws Exception {
    try (Metrics metrics = new Metrics();
         OpsServer server = OpsServer.start("127.0.0.1", 0, metrics::scrape, Readiness.Status::ok)) {
      metrics.registry().counter("blacktree.test.things", "kind", "a").increment(3);
      metrics.registry().timer("blacktree.test.wait").record(java.time.Duration.ofMillis(20));

      HttpResponse<String> r = get(server, "/metrics");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
      assertThat(r.body()).contains("blacktree_test_things_total{kind=\"a\"} 3.0")
          .contains("blacktree_test_wait_seconds_bucket{");
      assertThat(get(server, "/nope").statusCode()).isEqualTo(404);
    }
  }
}
