package io.blacktree.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.core.ErrorKind;
import io.blacktree.worker.JobFailure.RegistryFailure;
import io.blacktree.worker.provenance.AttestationStore;
import io.blacktree.worker.provenance.AttestationStore.Manifest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads what a tag holds in a registry through the Docker Registry HTTP API v2 (manifest, then config blob):
 * its manifest digest, config digest (= the local image ID of the same image) and labels; and puts a manifest the
 * registry already holds under more tags, all at once (one round trip for any number of tags). Uses HTTP basic
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
   * The digest of the manifest {@code tag} names (an image's, or an index's for a multi-platform image), from one
   * request; empty when the registry has no such tag.
   */
  Optional<String> digest(RegistryAuth auth, String repository, String tag) throws JobFailure {
    HttpResponse<byte[]> manifest = get(auth, "/v2/" + repository + "/manifests/" + tag, ACCEPT);
    if (manifest.statusCode() == 404) {
      return Optional.empty();
    }
    check(manifest, "manifest of " + repository + ":" + tag);
    return Optional.of(manifest.headers().firstValue("Docker-Content-Digest")
        .orElseGet(() -> AttestationStore.sha256(manifest.body())));
  }

  /** The manifest {@code digest} of {@code repository}, as stored (to be put again under tags). */
  Manifest manifest(RegistryAuth auth, String repository, String digest) throws JobFailure {
    HttpResponse<byte[]> r = get(auth, "/v2/" + repository + "/manifests/" + digest, ACCEPT);
    check(r, "manifest " + digest + " of " + repository);
    return new Manifest(digest, r.headers().firstValue("Content-Type").orElse(ACCEPT.split(", ")[0]), r.body());
  }

  /**
   * Points every one of {@code tags} at {@code manifest} (already in {@code repository}), all requests at once: a
   * registry-side tag is the manifest put again under the tag, no layer or engine involved. Returns the failure of
   * each tag that was not set, in the order of {@code tags}; empty when all were.
   */
  Map<String, RegistryFailure> putTags(RegistryAuth auth, String repository, Manifest manifest, List<String> tags) {
    Map<String, CompletableFuture<HttpResponse<byte[]>>> sent = new LinkedHashMap<>();
    for (String tag : tags) {
      HttpRequest put = request(auth, "/v2/" + repository + "/manifests/" + tag)
          .header("Content-Type", manifest.mediaType())
          .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.body())).build();
      sent.put(tag, http.sendAsync(put, HttpResponse.BodyHandlers.ofByteArray()));
    }
    Map<String, RegistryFailure> failed = new LinkedHashMap<>();
    sent.forEach((tag, answer) -> tagFailure(auth, repository, tag, answer).ifPresent(f -> failed.put(tag, f)));
    return failed;
  }

  private static Optional<RegistryFailure> tagFailure(RegistryAuth auth, String repository, String tag,
      CompletableFuture<HttpResponse<byte[]>> answer) {
    HttpResponse<byte[]> r;
    try {
      r = answer.join();
    } catch (CompletionException | CancellationException e) {
      return Optional.of(new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE, "registry " + auth.host()
          + " unreachable tagging " + repository + ":" + tag + ": " + rootName(e), null));
    }
    int s = r.statusCode();
    if (s == 401 || s == 403) {
      return Optional.of(new RegistryFailure(ErrorKind.REGISTRY_AUTH_DENIED,
          "registry denied tagging " + repository + ":" + tag + " (HTTP " + s + ")", null));
    }
    if (s != 201 && s != 200) {
      return Optional.of(new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE,
          "registry answered HTTP " + s + " tagging " + repository + ":" + tag, null));
    }
    return Optional.empty();
  }

  private static String rootName(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
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
