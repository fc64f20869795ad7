package io.blacktree.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The physical floor of a warm job: what must cross the wire after one source file changed, and how long just
 * those transfers take here. Bytes fetched = what the worker's fetch added to its git mirror (reuse summary);
 * its time = a {@code git fetch} of that commit into an up-to-date mirror, alone. Bytes pushed = the blobs the new
 * image has that the previous version had not (the changed layer and the config) plus the manifest; their time
 * = uploading exactly those blobs (one POST and one monolithic PUT each) and the manifest to the registry,
 * alone. No build, no cache lookup, no tag or provenance is in the floor.
 */
final class PhysicalFloor {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCEPT = String.join(", ", "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json");
  private final String registry;
  private final Report report;
  private final Path tmp;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  PhysicalFloor(String registry, Report report, Path tmp) {
    this.registry = registry;
    this.report = report;
    this.tmp = tmp;
  }

  void run(GitRepos repos, GitDaemonServer daemon, BenchWorker worker, BenchRepos benchRepos, String repo,
      String kase) throws Exception {
    String salt = UUID.randomUUID().toString().substring(0, 8);
    repos.create(repo, "main", benchRepos.files(kase, salt));
    worker.run(repo, "v1");
    Path mirror = tmp.resolve("floor-mirror");
    HandScripts.time("git", "clone", "-q", "--mirror", daemon.baseUrl() + repo, mirror.toString());
    repos.commit(repo, "main", BenchRepos.change(salt + "-2"), "one change");
    double fetchMillis = HandScripts.time("git", "-C", mirror.toString(), "fetch", "-q", "origin");
    Thread.sleep(2_000);
    BenchWorker.Run warm = worker.run(repo, "v2");
    Manifest before = manifest(repo, "v1");
    Manifest after = manifest(repo, "v2");
    Map<String, byte[]> blobs = new LinkedHashMap<>();
    for (String digest : after.blobs()) {
      if (!before.blobs().contains(digest)) {
        blobs.put(digest, send(HttpRequest.newBuilder(uri("/v2/" + repo + "/blobs/" + digest)).GET(), 200));
      }
    }
    long blobBytes = blobs.values().stream().mapToLong(b -> b.length).sum();
    long t0 = System.nanoTime();
    for (Map.Entry<String, byte[]> blob : blobs.entrySet()) {
      upload(repo, blob.getKey(), blob.getValue());
    }
    send(HttpRequest.newBuilder(uri("/v2/" + repo + "/manifests/floor-v2"))
        .header("Content-Type", after.mediaType()).PUT(HttpRequest.BodyPublishers.ofByteArray(after.raw())), 201);
    double pushMillis = (System.nanoTime() - t0) / 1e6;
    double floor = fetchMillis + pushMillis;
    double workerTotal = warm.steps().get("total");
    report.note("physical floor of the warm " + kase + " case (repository " + repo + "): git fetch of the new commit "
        + "into an up-to-date mirror, alone; upload of the blobs the new image has that v1 had not, and its "
        + "manifest, alone (POST + monolithic PUT per blob)");
    report.figure("floor-warm-" + kase + "-fetched", warm.bytesFetched() + " bytes fetched by the worker's mirror; "
        + "git fetch of that commit alone " + Report.ms(fetchMillis));
    report.figure("floor-warm-" + kase + "-pushed", blobBytes + " layer+config bytes in " + blobs.size()
        + " blobs, manifest " + after.raw().length + " bytes; uploaded alone " + Report.ms(pushMillis));
    report.figure("floor-warm-" + kase, Report.ms(floor) + " of transfers; the worker's warm job "
        + Report.ms(workerTotal) + " (" + Report.ratio(workerTotal / floor) + " the floor), steps " + warm.steps());
  }

  private void upload(String repo, String digest, byte[] data) throws IOException, InterruptedException {
    HttpResponse<byte[]> started = http.send(HttpRequest.newBuilder(uri("/v2/" + repo + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    if (started.statusCode() != 202) {
      throw new IllegalStateException("upload start for " + digest + ": HTTP " + started.statusCode());
    }
    String location = started.headers().firstValue("Location").orElseThrow();
    URI put = uri("/").resolve(location);
    String sep = put.getRawQuery() == null ? "?" : "&";
    send(HttpRequest.newBuilder(URI.create(put + sep + "digest=" + digest))
        .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(data)), 201);
  }

  /** A manifest's raw bytes, media type and the digests of its config and layers (an index: its first image). */
  private record Manifest(byte[] raw, String mediaType, Set<String> blobs) {}

  private Manifest manifest(String repo, String reference) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri("/v2/" + repo + "/manifests/" + reference))
        .header("Accept", ACCEPT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("manifest " + repo + ":" + reference + ": HTTP " + r.statusCode());
    }
    JsonNode m = JSON.readTree(r.body());
    if (m.has("manifests")) {
      return manifest(repo, m.path("manifests").path(0).path("digest").asText());
    }
    Set<String> blobs = new HashSet<>();
    blobs.add(m.path("config").path("digest").asText());
    List<JsonNode> layers = new ArrayList<>();
    m.path("layers").forEach(layers::add);
    layers.forEach(l -> blobs.add(l.path("digest").asText()));
    String type = r.headers().firstValue("Content-Type").orElse(m.path("mediaType").asText());
    return new Manifest(r.body(), type, blobs);
  }

  private byte[] send(HttpRequest.Builder request, int expected) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(request.timeout(Duration.ofMinutes(5)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != expected) {
      throw new IllegalStateException(request.build().method() + " " + request.build().uri() + ": HTTP "
          + r.statusCode() + " (expected " + expected + ")");
    }
    return r.body();
  }

  private URI uri(String path) {
    return URI.create("http://" + registry + path);
  }
}
