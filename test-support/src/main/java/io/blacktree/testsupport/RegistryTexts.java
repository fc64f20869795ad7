package io.blacktree.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Everything a registry holds for one repository, as text to search: for every tag (the image's tags, the
 * registry cache, the attestation), its manifest (and the manifests of an index), each config blob and each
 * layer, gunzipped, with a DSSE envelope's payload decoded. Bytes are read as ISO-8859-1 so any byte sequence
 * survives and an ASCII value is found wherever it is stored uncompressed.
 */
public final class RegistryTexts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RegistryTexts() {}

  /** One text per manifest, config and layer of every tag of {@code repository}. */
  public static List<Text> of(RegistryClient registry, String repository) throws IOException {
    List<Text> out = new ArrayList<>();
    for (String tag : registry.tags(repository)) {
      manifest(registry, repository, tag, tag, out);
    }
    return out;
  }

  /** A manifest, config or layer's content, and where it came from ({@code tag} and what it is). */
  public record Text(String where, String content) {}

  private static void manifest(RegistryClient registry, String repository, String reference, String tag,
      List<Text> out) throws IOException {
    String body = registry.manifest(repository, reference)
        .orElseThrow(() -> new AssertionError("no manifest " + repository + ":" + reference));
    out.add(new Text(tag + " manifest", body));
    JsonNode m = JSON.readTree(body);
    for (JsonNode child : m.path("manifests")) {
      manifest(registry, repository, child.path("digest").asText(), tag, out);
    }
    if (m.has("config")) {
      out.add(new Text(tag + " config", text(registry.blob(repository, m.path("config").path("digest").asText()))));
    }
    for (JsonNode layer : m.path("layers")) {
      byte[] bytes = registry.blob(repository, layer.path("digest").asText());
      String mediaType = layer.path("mediaType").asText();
      out.add(new Text(tag + " layer " + mediaType, text(mediaType.endsWith("gzip") ? gunzip(bytes) : bytes)));
      if (mediaType.contains("dsse")) {
        String payload = JSON.readTree(bytes).path("payload").asText();
        out.add(new Text(tag + " DSSE payload", new String(Base64.getDecoder().decode(payload), StandardCharsets.UTF_8)));
      }
    }
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static byte[] gunzip(byte[] bytes) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }
}
