package io.blacktree.worker.provenance;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.List;

/**
 * Wraps an in-toto statement in a DSSE envelope, signed with the build host's ECDSA P-256 key
 * ({@code SHA256withECDSA} over the envelope's PAE, DER-encoded: what cosign's ECDSA verifier accepts), or
 * unsigned when the host holds no key. The key is read once and never printed ({@link #toString()}).
 */
public final class AttestationSigner {
  private final PrivateKey key;
  private final String keySource;

  private AttestationSigner(PrivateKey key, String keySource) {
    this.key = key;
    this.keySource = keySource;
  }

  /** A signer that leaves envelopes unsigned. */
  public static AttestationSigner unsigned() {
    return new AttestationSigner(null, null);
  }

  /** Reads the PEM private key in {@code file} ({@link EcKeys#readPrivateKey}); fails on anything but P-256. */
  public static AttestationSigner fromKeyFile(Path file) throws IOException {
    return new AttestationSigner(EcKeys.readPrivateKey(file), file.toString());
  }

  /** True when envelopes get a signature. */
  public boolean signs() {
    return key != null;
  }

  /** The envelope of {@code statement} (payload type in-toto), signed when this signer holds a key. */
  public DsseEnvelope envelope(byte[] statement) {
    if (key == null) {
      return new DsseEnvelope(DsseEnvelope.IN_TOTO, statement, List.of());
    }
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initSign(key);
      ecdsa.update(DsseEnvelope.pae(DsseEnvelope.IN_TOTO, statement));
      return new DsseEnvelope(DsseEnvelope.IN_TOTO, statement, List.of(new DsseEnvelope.Signature("", ecdsa.sign())));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA signing failed with a key that loaded: " + e.getClass().getSimpleName());
    }
  }

  @Override
  public String toString() {
    return key == null ? "AttestationSigner[unsigned]" : "AttestationSigner[key file " + keySource + "]";
  }
}
