package io.blacktree.core;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The SLSA provenance attestation a build worker attached to the image it pushed: the attestation tag
 * ({@code <registry>/<repo>:sha256-<hex>.att}, where {@code cosign verify-attestation} finds it), the digest of
 * that attestation manifest, and whether it is signed (false when the worker holds no signing key).
 */
public record ImageAttestation(
    @JsonProperty("reference") String reference,
    @JsonProperty("digest") String digest,
    @JsonProperty("signed") boolean signed) {

  /** One line for people: {@code sha256:... (signed) at <reference>}. */
  public String describe() {
    return digest + (signed ? " (signed)" : " (UNSIGNED: the worker has no signing key)") + " at " + reference;
  }
}
