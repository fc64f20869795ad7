package io.blacktree.worker.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EcKeysTest {
  @TempDir Path dir;

  @Test
  void readPrivateKey_pkcs8_signsWhatThePublicKeyVerifies() throws Exception {
    KeyPair pair = pair("secp256r1");
    Path key = pem("k.pem", "PRIVATE KEY", pair.getPrivate().getEncoded());
    Path pub = pem("k.pub", "PUBLIC KEY", pair.getPublic().getEncoded());

    DsseEnvelope e = AttestationSigner.fromKeyFile(key).envelope("{}".getBytes());

    Signature ecdsa = Signature.getInstance("SHA256withECDSA");
    ecdsa.initVerify(EcKeys.readPublicKey(pub));
    ecdsa.update(e.pae());
    assertThat(ecdsa.verify(e.signatures().get(0).sig())).isTrue();
  }

  @Test
  void readPrivateKey_encryptedKey_refusedWithHowToMakeAPlainOne() throws IOException {
    Path f = dir.resolve("cosign.key");
    Files.writeString(f, block("ENCRYPTED SIGSTORE PRIVATE KEY", new byte[] {1, 2, 3}));

    assertThatThrownBy(() -> EcKeys.readPrivateKey(f)).isInstanceOf(IOException.class)
        .hasMessageContaining("encrypted").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt")
        .hasMessageNotContaining("AQID");
  }

  @Test
  void readPrivateKey_otherCurve_refused() throws Exception {
    Path f = pem("p384.pem", "PRIVATE KEY", pair("secp384r1").getPrivate().getEncoded());

    assertThatThrownBy(() -> EcKeys.readPrivateKey(f)).isInstanceOf(IOException.class)
        .hasMessageContaining("not on curve P-256");
  }

  @Test
  void readPublicKey_noPem_namesTheFile() throws IOException {
    Path f = dir.resolve("empty.pub");
    Files.writeString(f, "nothing");

    assertThatThrownBy(() -> EcKeys.readPublicKey(f)).hasMessageContaining("empty.pub")
        .hasMessageContaining("no PEM PUBLIC KEY");
  }

  private static KeyPair pair(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  private Path pem(String name, String type, byte[] der) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, block(type, der));
    return f;
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
