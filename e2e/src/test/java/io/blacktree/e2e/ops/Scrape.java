package io.blacktree.e2e.ops;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/** One {@code /metrics} scrape in the Prometheus text format, and sums over its samples. */
record Scrape(String text) {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** GET {@code http://127.0.0.1:<port><path>}: status and body. */
  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static Scrape of(int port) throws IOException, InterruptedException {
    HttpResponse<String> r = get(port, "/metrics");
    if (r.statusCode() != 200) {
      throw new IllegalStateException("/metrics on " + port + " answered " + r.statusCode());
    }
    return new Scrape(r.body());
  }

  /** Sum of the samples named {@code name} whose labels include every one of {@code labels} (0 when none). */
  double sum(String name, Map<String, String> labels) {
    return Arrays.stream(text.split("\n"))
        .filter(l -> !l.startsWith("#"))
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> labels.entrySet().stream().allMatch(e -> l.contains(e.getKey() + "=\"" + e.getValue() + "\"")))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  double sum(String name) {
    return sum(name, Map.of());
  }

  boolean has(String namePrefix) {
    return Arrays.stream(text.split("\n")).anyMatch(l -> l.startsWith(namePrefix));
  }
}
