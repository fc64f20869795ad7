package io.blacktree.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.core.ErrorKind;
import io.blacktree.worker.JobFailure.RegistryFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what a tag holds in a registry through the Docker Registry HTTP API v2 (manifest, then config blob):
 * its manifest digest, config digest (= the local image ID of the same image) and labels; and adds a tag to a
 * manifest the registry already holds. Uses HTTP basic
 * auth with the job's credentials (what the test registry and ECR accept); a Bearer-token registry
 * (Docker Hub style) is not supported here.
 */
final class RegistryProbe {
  /** What a tag currently holds. {@code configDigest} is null for a manifest list. */
  record RemoteImage(String digest, String configDigest, Map<String, String> labels) {}

  private static final String ACCEPT = String.join(", ",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.oci.image.index.v1+json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;

  RegistryProbe(HttpClient http) {
    this.http = http;
  }

  Optional<RemoteImage> find(RegistryAuth auth, String repository, String tag) throws JobFailure {
    HttpResponse<byte[]> manifest = get(auth, "/v2/" + repository + "/manifests/" + tag, ACCEPT);
    if (manifest.statusCode() == 404) {
      return Optional.empty();
    }
    check(manifest, "manifest of " + repository + ":" + tag);
    String digest = manifest.headers().firstValue("Docker-Content-Digest").orElse(null);
    JsonNode body = parse(manifest.body());
    String config = body.path("config").path("digest").asText(null);
    if (config == null) {
      return Optional.of(new RemoteImage(digest, null, Map.of()));
    }
    HttpResponse<byte[]> blob = get(auth, "/v2/" + repository + "/blobs/" + config, "*/*");
    check(blob, "image config of " + repository + ":" + tag);
    Map<String, String> labels = new HashMap<>();
    parse(blob.body()).path("config").path("Labels").fields()
        .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return Optional.of(new RemoteImage(digest, config, labels));
  }

  /**
   * Points {@code tag} at the manifest {@code digest} already in {@code repository} (a registry-side tag: the
   * manifest is read by digest and put again under the tag, no layer or engine involved).
   */
  void tag(RegistryAuth auth, String repository, String digest, String tag) throws JobFailure {
    HttpResponse<byte[]> manifest = get(auth, "/v2/" + repository + "/manifests/" + digest, ACCEPT);
    check(manifest, "manifest " + digest + " of " + repository);
    String type = manifest.headers().firstValue("Content-Type").orElse(ACCEPT.split(", ")[0]);
    HttpRequest.Builder put = request(auth, "/v2/" + repository + "/manifests/" + tag)
        .header("Content-Type", type)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.body()));
    HttpResponse<byte[]> r = send(auth, put);
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw new RegistryFailure(ErrorKind.REGISTRY_AUTH_DENIED,
          "registry denied tagging " + repository + ":" + tag + " (HTTP " + r.statusCode() + ")", null);
    }
    if (r.statusCode() != 201 && r.statusCode() != 200) {
      throw new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE,
          "registry answered HTTP " + r.statusCode() + " tagging " + repository + ":" + tag, null);
    }
  }

  private HttpResponse<byte[]> get(RegistryAuth auth, String path, String accept) throws JobFailure {
    return send(auth, request(auth, path).header("Accept", accept).GET());
  }

  private static HttpRequest.Builder request(RegistryAuth auth, String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(auth.baseUri() + path))
        .timeout(Duration.ofSeconds(30));
    if (auth.hasCredentials()) {
      String basic = Base64.getEncoder().encodeToString(
          (auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8));
      b.header("Authorization", "Basic " + basic);
    }
    return b;
  }

  private HttpResponse<byte[]> send(RegistryAuth auth, HttpRequest.Builder b) throws JobFailure {
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE,
          "registry " + auth.host() + " unreachable: " + e.getClass().getSimpleName(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE, "interrupted while reading the registry", null);
    }
  }

  private static void check(HttpResponse<byte[]> r, String what) throws RegistryFailure {
    int s = r.statusCode();
    if (s == 401 || s == 403) {
      throw new RegistryFailure(ErrorKind.REGISTRY_AUTH_DENIED, "registry denied reading " + what + " (HTTP " + s + ")", null);
    }
    if (s != 200) {
      throw new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE, "registry answered HTTP " + s + " for " + what, null);
    }
  }

  private static JsonNode parse(byte[] body) throws RegistryFailure {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE, "registry sent an unreadable manifest", null);
    }
  }
}
