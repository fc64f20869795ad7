package io.blacktree.worker.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A DSSE envelope (Dead Simple Signing Envelope v1): a payload, its type, and signatures over the
 * pre-authentication encoding {@link #pae} of both. This is the form {@code cosign attest} writes and
 * {@code cosign verify-attestation} reads; an in-toto statement travels as payload type {@link #IN_TOTO}.
 *
 * @param signatures empty for an unsigned envelope (a build host without a signing key)
 */
public record DsseEnvelope(String payloadType, byte[] payload, List<Signature> signatures) {
  /** The payload type of an in-toto statement. */
  public static final String IN_TOTO = "application/vnd.in-toto+json";
  /** The media type of an envelope stored as a registry blob. */
  public static final String MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One signature; {@code keyId} may be empty (DSSE makes it optional; cosign leaves it empty). */
  public record Signature(String keyId, byte[] sig) {}

  public DsseEnvelope {
    signatures = List.copyOf(signatures);
  }

  /** {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, lengths as ASCII decimal byte counts. */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /** The bytes every signature signs. */
  public byte[] pae() {
    return pae(payloadType, payload);
  }

  /** The envelope as JSON ({@code payload} and {@code sig} in standard base64). */
  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("payloadType", payloadType);
    root.put("payload", Base64.getEncoder().encodeToString(payload));
    ArrayNode sigs = root.putArray("signatures");
    for (Signature s : signatures) {
      sigs.addObject().put("keyid", s.keyId()).put("sig", Base64.getEncoder().encodeToString(s.sig()));
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("an envelope of strings always serializes", e);
    }
  }

  /** Reads an envelope; {@link IOException} names what is missing or malformed. */
  public static DsseEnvelope parse(byte[] json) throws IOException {
    JsonNode root = JSON.readTree(json);
    if (root == null || !root.path("payloadType").isTextual() || !root.path("payload").isTextual()) {
      throw new IOException("not a DSSE envelope: payloadType and payload are required");
    }
    List<Signature> sigs = new ArrayList<>();
    for (JsonNode s : root.path("signatures")) {
      sigs.add(new Signature(s.path("keyid").asText(""), decode(s.path("sig").asText(""), "sig")));
    }
    return new DsseEnvelope(root.get("payloadType").asText(), decode(root.get("payload").asText(), "payload"), sigs);
  }

  private static byte[] decode(String base64, String field) throws IOException {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      try {
        return Base64.getUrlDecoder().decode(base64);
      } catch (IllegalArgumentException e2) {
        throw new IOException("DSSE " + field + " is not base64");
      }
    }
  }
}
