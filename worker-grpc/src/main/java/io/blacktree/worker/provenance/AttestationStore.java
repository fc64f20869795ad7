package io.blacktree.worker.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blacktree.worker.RegistryAuth;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Stores and reads attestations in a registry the way cosign does (its {@code specs/ATTESTATION_SPEC.md}): an
 * OCI image manifest tagged {@code sha256-<image hex>.att} in the image's repository, whose one layer is the
 * DSSE envelope (media type {@code application/vnd.dsse.envelope.v1+json}, annotations
 * {@code dev.cosignproject.cosign/signature: ""} and {@code predicateType}), with a small OCI config blob. The
 * same manifest carries an OCI 1.1 {@code subject} naming the image, so a registry with the referrers API also
 * lists it as a referrer; the registry says so with the {@code OCI-Subject} header (distribution 2.8 does not).
 * Writing replaces the tag's earlier content. HTTP basic auth with the given credentials, or none.
 */
public final class AttestationStore {
  public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
  public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
  public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
  public static final String PREDICATE_TYPE_ANNOTATION = "predicateType";
  private static final String ACCEPT = String.join(", ", MANIFEST_MEDIA_TYPE,
      "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;

  /** What {@link #attach} wrote: the tag's full reference, the manifest's and the envelope's digests. */
  public record Attached(String reference, String manifestDigest, String envelopeDigest, boolean referrer) {}

  /** A manifest as the registry holds it. */
  public record Manifest(String digest, String mediaType, byte[] body) {}

  public AttestationStore(HttpClient http) {
    this.http = http;
  }

  /** The tag cosign looks under for the attestations of {@code imageDigest} ({@code sha256:<hex>}). */
  public static String attestationTag(String imageDigest) {
    return imageDigest.replace(':', '-') + ".att";
  }

  /**
   * Uploads {@code envelope} as the attestation of {@code imageDigest} in {@code repository}. The image's manifest
   * (the attestation's subject) is read while both blobs are uploaded, all three at once; the attestation's manifest
   * follows once they are there.
   */
  public Attached attach(RegistryAuth auth, String repository, String imageDigest, DsseEnvelope envelope,
      String predicateType) throws RegistryException {
    CompletableFuture<HttpResponse<byte[]>> read = sendAsync(auth, manifestRequest(auth, repository, imageDigest));
    Upload blobs = upload(auth, repository, envelope);
    Manifest image = manifestOf(await(read, auth), repository, imageDigest)
        .orElseThrow(() -> new RegistryException.Failed(repository + "@" + imageDigest + " is not in the registry"));
    return store(auth, repository, image, blobs, predicateType);
  }

  /**
   * The first half of {@link #attach}, for an image whose tags may still be being written: starts uploading the
   * envelope's two blobs, which need nothing of the image but its digest (named in the envelope); {@link #store}
   * finishes.
   */
  public Upload upload(RegistryAuth auth, String repository, DsseEnvelope envelope) {
    byte[] layer = envelope.toJson();
    String layerDigest = sha256(layer);
    byte[] config = config(layerDigest);
    String configDigest = sha256(config);
    return new Upload(layer, layerDigest, config, configDigest, uploadBlob(auth, repository, layer, layerDigest),
        uploadBlob(auth, repository, config, configDigest));
  }

  /** An attestation's two blobs, their uploads under way ({@link #upload}). */
  public record Upload(byte[] layer, String layerDigest, byte[] config, String configDigest,
      CompletableFuture<Void> layerUploaded, CompletableFuture<Void> configUploaded) {}

  /**
   * The second half: once both blobs are there, stores the attestation's manifest for {@code image}, whose manifest
   * the caller read. Nothing here reads it again, so this may run while the image's tags are being written (a
   * registry on a plain filesystem may answer a read of a manifest with an error while the same manifest is written
   * under a tag).
   */
  public Attached store(RegistryAuth auth, String repository, Manifest image, Upload blobs, String predicateType)
      throws RegistryException {
    await(blobs.layerUploaded(), auth);
    await(blobs.configUploaded(), auth);
    ObjectNode m = JSON.createObjectNode();
    m.put("schemaVersion", 2);
    m.put("mediaType", MANIFEST_MEDIA_TYPE);
    descriptor(m.putObject("config"), CONFIG_MEDIA_TYPE, blobs.configDigest(), blobs.config().length);
    ObjectNode l = descriptor(m.putArray("layers").addObject(), DsseEnvelope.MEDIA_TYPE, blobs.layerDigest(),
        blobs.layer().length);
    l.putObject("annotations").put(SIGNATURE_ANNOTATION, "").put(PREDICATE_TYPE_ANNOTATION, predicateType);
    descriptor(m.putObject("subject"), image.mediaType(), image.digest(), image.body().length);
    byte[] manifest = bytes(m);
    String tag = attestationTag(image.digest());
    HttpResponse<byte[]> put = send(auth, request(auth, "/v2/" + repository + "/manifests/" + tag)
        .header("Content-Type", MANIFEST_MEDIA_TYPE).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
    expect(put, "storing " + repository + ":" + tag, 201, 200);
    boolean referrer = put.headers().firstValue("OCI-Subject").map(image.digest()::equals).orElse(false);
    return new Attached(auth.host() + "/" + repository + ":" + tag, sha256(manifest), blobs.layerDigest(), referrer);
  }

  /** The manifest {@code reference} (tag or digest) names; empty when the registry has none (404). */
  public Optional<Manifest> manifest(RegistryAuth auth, String repository, String reference) throws RegistryException {
    return manifestOf(send(auth, manifestRequest(auth, repository, reference)), repository, reference);
  }

  private static HttpRequest.Builder manifestRequest(RegistryAuth auth, String repository, String reference) {
    return request(auth, "/v2/" + repository + "/manifests/" + reference).header("Accept", ACCEPT).GET();
  }

  private static Optional<Manifest> manifestOf(HttpResponse<byte[]> r, String repository, String reference)
      throws RegistryException {
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    expect(r, "manifest " + repository + ":" + reference, 200);
    String type = r.headers().firstValue("Content-Type").orElse(MANIFEST_MEDIA_TYPE);
    String digest = r.headers().firstValue("Docker-Content-Digest").orElse(sha256(r.body()));
    return Optional.of(new Manifest(digest, type, r.body()));
  }

  /** Every DSSE envelope attached to {@code imageDigest}; empty when there is no attestation tag. */
  public List<DsseEnvelope> attestations(RegistryAuth auth, String repository, String imageDigest)
      throws RegistryException {
    Optional<Manifest> att = manifest(auth, repository, attestationTag(imageDigest));
    List<DsseEnvelope> out = new ArrayList<>();
    if (att.isEmpty()) {
      return out;
    }
    for (JsonNode layer : parse(att.get().body(), "attestation manifest").path("layers")) {
      if (!DsseEnvelope.MEDIA_TYPE.equals(layer.path("mediaType").asText())) {
        continue;
      }
      String digest = layer.path("digest").asText();
      HttpResponse<byte[]> blob = send(auth, request(auth, "/v2/" + repository + "/blobs/" + digest).GET());
      expect(blob, "attestation blob " + digest, 200);
      if (!sha256(blob.body()).equals(digest)) {
        throw new RegistryException.Failed("attestation blob " + digest + " does not match its digest");
      }
      try {
        out.add(DsseEnvelope.parse(blob.body()));
      } catch (IOException e) {
        throw new RegistryException.Failed("attestation blob " + digest + ": " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * Uploads {@code blob} (POST, then PUT of the whole blob); completes with the {@link RegistryException} that
   * stopped it. The registry is not asked first whether it has the blob: an attestation's envelope holds the job's
   * start and end times and its config names the envelope, so both are new each time, and a registry takes the
   * upload of a blob it has like any other.
   */
  private CompletableFuture<Void> uploadBlob(RegistryAuth auth, String repository, byte[] blob, String digest) {
    return sendAsync(auth, request(auth, "/v2/" + repository + "/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()))
        .thenCompose(start -> sendAsync(auth, blobPut(auth, repository, start, blob, digest)))
        .thenAccept(put -> expectAsync(put, "uploading blob " + digest + " to " + repository, 201));
  }

  private static HttpRequest.Builder blobPut(RegistryAuth auth, String repository, HttpResponse<byte[]> start,
      byte[] blob, String digest) {
    expectAsync(start, "starting an upload to " + repository, 202);
    String location = start.headers().firstValue("Location").orElseThrow(() -> new CompletionException(
        new RegistryException.Failed("the registry started an upload without a Location")));
    URI target = auth.baseUri().resolve(location);
    String sep = target.getRawQuery() == null ? "?" : "&";
    HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(target + sep + "digest=" + digest))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(blob));
    authorize(put, auth);
    return put;
  }

  private static byte[] config(String layerDigest) {
    ObjectNode c = JSON.createObjectNode();
    c.put("architecture", "");
    c.put("os", "");
    c.putObject("config");
    ObjectNode rootFs = c.putObject("rootfs");
    rootFs.put("type", "layers");
    rootFs.putArray("diff_ids").add(layerDigest);
    return bytes(c);
  }

  private static ObjectNode descriptor(ObjectNode d, String mediaType, String digest, long size) {
    d.put("mediaType", mediaType);
    d.put("size", size);
    d.put("digest", digest);
    return d;
  }

  private static HttpRequest.Builder request(RegistryAuth auth, String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(auth.baseUri() + path)).timeout(Duration.ofSeconds(30));
    authorize(b, auth);
    return b;
  }

  private static void authorize(HttpRequest.Builder b, RegistryAuth auth) {
    if (auth.hasCredentials()) {
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8)));
    }
  }

  private HttpResponse<byte[]> send(RegistryAuth auth, HttpRequest.Builder b) throws RegistryException {
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw unreachable(auth, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException.Unreachable("interrupted while talking to registry " + auth.host());
    }
  }

  private CompletableFuture<HttpResponse<byte[]>> sendAsync(RegistryAuth auth, HttpRequest.Builder b) {
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The outcome of a request chain of {@link #sendAsync}: its value, or the {@link RegistryException} that ended it. */
  private static <T> T await(CompletableFuture<T> answer, RegistryAuth auth) throws RegistryException {
    try {
      return answer.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException.Unreachable("interrupted while talking to registry " + auth.host());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RegistryException r) {
        throw r;
      }
      throw unreachable(auth, e.getCause());
    }
  }

  private static RegistryException unreachable(RegistryAuth auth, Throwable e) {
    return new RegistryException.Unreachable("registry " + auth.host() + " unreachable: " + e.getClass().getSimpleName());
  }

  /** {@link #expect} inside a request chain: the failure travels as the chain's exceptional completion. */
  private static void expectAsync(HttpResponse<byte[]> r, String what, int... ok) {
    try {
      expect(r, what, ok);
    } catch (RegistryException e) {
      throw new CompletionException(e);
    }
  }

  private static void expect(HttpResponse<byte[]> r, String what, int... ok) throws RegistryException {
    for (int code : ok) {
      if (r.statusCode() == code) {
        return;
      }
    }
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw new RegistryException.Denied("registry denied " + what + " (HTTP " + r.statusCode() + ")");
    }
    throw new RegistryException.Failed("registry answered HTTP " + r.statusCode() + " to " + what);
  }

  private static JsonNode parse(byte[] body, String what) throws RegistryException {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new RegistryException.Failed("the registry sent an unreadable " + what);
    }
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  /** {@code sha256:<hex>} of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }
}
