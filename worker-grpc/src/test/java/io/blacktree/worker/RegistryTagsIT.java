package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.SecretRedactor;
import io.blacktree.testsupport.RegistryClient;
import io.blacktree.testsupport.TestIds;
import io.blacktree.worker.JobFailure.Stopped;
import io.blacktree.worker.provenance.AttestationStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link RegistryTags#tagAll} against the real registries: every tag is put at once and each names the manifest;
 * a registry that refuses the credentials fails the tagging as REGISTRY_AUTH_DENIED at once, without retries.
 */
class RegistryTagsIT {
  private static final TestIds IDS = TestIds.forClass(RegistryTagsIT.class);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final RegistryAuth OPEN = RegistryAuth.of(WorkerFixture.OPEN_REGISTRY, null, null);

  @Test
  void tagAll_threeTags_everyTagNamesTheManifestAndTheLogSaysSo() throws Exception {
    String repo = "blacktree-it/" + IDS.next("tags");
    String digest = pushArtifact(repo);
    Log log = new Log();

    new RegistryTags(new RegistryProbe(HTTP), false, 3).tagAll(log, OPEN, repo, digest, List.of("v1", "latest", "abc123"));

    RegistryClient registry = RegistryClient.anonymous(WorkerFixture.OPEN_REGISTRY);
    for (String tag : List.of("v1", "latest", "abc123")) {
      assertThat(registry.manifestDigest(repo, tag)).as(tag).contains(digest);
    }
    assertThat(log.lines).contains("tagged " + digest + " in the registry as v1, latest, abc123");
  }

  @Test
  void tagAll_wrongPassword_registryAuthDeniedWithoutRetry() throws Exception {
    String repo = "blacktree-it/" + IDS.next("denied");
    RegistryAuth wrong = RegistryAuth.of(WorkerFixture.AUTH_REGISTRY, WorkerFixture.REGISTRY_USER, "not-the-password");
    Log log = new Log();

    assertThatThrownBy(() -> new RegistryTags(new RegistryProbe(HTTP), false, 3)
        .tagAll(log, wrong, repo, "sha256:" + "0".repeat(64), List.of("v1", "latest")))
        .isInstanceOfSatisfying(JobFailure.class, f -> assertThat(f.kind()).isEqualTo(ErrorKind.REGISTRY_AUTH_DENIED));
    assertThat(log.lines).noneMatch(l -> l.contains("retry"));
  }

  /** An OCI artifact (one config blob, no layers) pushed by digest; returns the manifest's digest. */
  private static String pushArtifact(String repo) throws Exception {
    byte[] config = ("{\"architecture\":\"\",\"os\":\"\",\"salt\":\"" + IDS.next("salt") + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    String configDigest = AttestationStore.sha256(config);
    HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(url("/v2/" + repo + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(start.statusCode()).isEqualTo(202);
    URI location = url("").resolve(start.headers().firstValue("Location").orElseThrow());
    String sep = location.getRawQuery() == null ? "?" : "&";
    HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(location + sep + "digest=" + configDigest))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(config)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(201);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + AttestationStore.MANIFEST_MEDIA_TYPE + "\","
        + "\"config\":{\"mediaType\":\"" + AttestationStore.CONFIG_MEDIA_TYPE + "\",\"size\":" + config.length
        + ",\"digest\":\"" + configDigest + "\"},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
    String digest = AttestationStore.sha256(manifest);
    HttpResponse<String> stored = HTTP.send(HttpRequest.newBuilder(url("/v2/" + repo + "/manifests/" + digest))
        .header("Content-Type", AttestationStore.MANIFEST_MEDIA_TYPE)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
    return digest;
  }

  private static URI url(String path) {
    return URI.create("http://" + WorkerFixture.OPEN_REGISTRY + path);
  }

  /** A job that is never stopped and keeps its log lines. */
  private static final class Log implements StepControl {
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void log(String text) {
      lines.add(text);
    }

    @Override
    public boolean isStopped() {
      return false;
    }

    @Override
    public Stopped stopped() {
      return null;
    }

    @Override
    public void setStopHook(AutoCloseable hook) {}

    @Override
    public Instant deadline() {
      return Instant.now().plusSeconds(60);
    }

    @Override
    public SecretRedactor redactor() {
      return new SecretRedactor();
    }
  }
}
