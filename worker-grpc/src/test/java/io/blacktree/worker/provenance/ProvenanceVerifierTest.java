package io.blacktree.worker.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.worker.provenance.ProvenanceVerifier.Policy;
import io.blacktree.worker.provenance.ProvenanceVerifier.Rejected;
import io.blacktree.worker.provenance.ProvenanceVerifier.Verified;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceVerifierTest {
  static final String WF = "deploy:123456789012:us-east-1:app-images:v1";
  @TempDir Path dir;
  AttestationSigner signer;
  PublicKey pub;
  DsseEnvelope signed;

  @BeforeEach
  void keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = g.generateKeyPair();
    Path key = dir.resolve("k.pem");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    signer = AttestationSigner.fromKeyFile(key);
    pub = pair.getPublic();
    signed = signer.envelope(ProvenanceStatementTest.statement(WF));
  }

  @Test
  void verify_matchingPolicy_verified() {
    var v = ProvenanceVerifier.verify(List.of(signed), pub, ProvenanceStatementTest.DIGEST,
        new Policy("demo/hello", "main", ProvenanceStatementTest.SHA.substring(0, 12), WF));

    assertThat(v).isEqualTo(new Verified("demo/hello", "main", ProvenanceStatementTest.SHA, WF + "/attempt/2",
        "urn:blacktree:worker:host:50051"));
  }

  @Test
  void verify_repositoryAsCloneUrl_verified() {
    assertThat(ProvenanceVerifier.verify(List.of(signed), pub, ProvenanceStatementTest.DIGEST,
        new Policy("https://git.example.com/demo/hello.git", null, null, null))).isInstanceOf(Verified.class);
  }

  @Test
  void verify_eachPolicyMismatch_rejectedWithTheReason() {
    String d = ProvenanceStatementTest.DIGEST;
    assertThat(ProvenanceVerifier.verify(List.of(signed), pub, d, new Policy("demo/other", null, null, null)))
        .isEqualTo(new Rejected("built from repository demo/hello (git+https://git.example.com/demo/hello@refs/heads/main), not demo/other"));
    assertThat(ProvenanceVerifier.verify(List.of(signed), pub, d, new Policy(null, null, "fedcba9", null)))
        .isEqualTo(new Rejected("built from commit " + ProvenanceStatementTest.SHA + ", not fedcba9"));
    assertThat(ProvenanceVerifier.verify(List.of(signed), pub, d, new Policy(null, null, "0123", null)))
        .as("a commit prefix shorter than 7 proves nothing").isInstanceOf(Rejected.class);
    assertThat(ProvenanceVerifier.verify(List.of(signed), pub, d, new Policy(null, null, null, "deploy:other")))
        .isEqualTo(new Rejected("built by invocation " + WF + "/attempt/2, not by workflow deploy:other"));
  }

  @Test
  void verify_otherDigest_rejectedNamingBoth() {
    String other = "sha256:" + "ee".repeat(32);

    assertThat(ProvenanceVerifier.verify(List.of(signed), pub, other, Policy.ANY)).isEqualTo(new Rejected(
        "the attestation is for " + ProvenanceStatementTest.DIGEST + ", not for the image's current digest " + other));
  }

  @Test
  void verify_tamperedPayloadOrUnsigned_rejected() {
    DsseEnvelope tampered = new DsseEnvelope(signed.payloadType(),
        new String(signed.payload()).replace("demo/hello", "demo/evil").getBytes(), signed.signatures());
    DsseEnvelope unsigned = AttestationSigner.unsigned().envelope(signed.payload());

    assertThat(ProvenanceVerifier.verify(List.of(tampered), pub, ProvenanceStatementTest.DIGEST, Policy.ANY))
        .isEqualTo(new Rejected("the attestation's signature does not verify with the given public key"));
    assertThat(ProvenanceVerifier.verify(List.of(unsigned), pub, ProvenanceStatementTest.DIGEST, Policy.ANY))
        .isEqualTo(new Rejected("the attestation is unsigned (its build host had no signing key)"));
    assertThat(ProvenanceVerifier.verify(List.of(), pub, ProvenanceStatementTest.DIGEST, Policy.ANY))
        .isEqualTo(new Rejected("no attestation is attached to " + ProvenanceStatementTest.DIGEST));
  }

  @Test
  void verify_oneGoodAmongBad_verified() {
    DsseEnvelope unsigned = AttestationSigner.unsigned().envelope(signed.payload());

    assertThat(ProvenanceVerifier.verify(List.of(unsigned, signed), pub, ProvenanceStatementTest.DIGEST, Policy.ANY))
        .isInstanceOf(Verified.class);
  }
}
