package io.blacktree.worker.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DsseEnvelopeTest {
  @Test
  void pae_specExample_matchesTheSpec() {
    byte[] pae = DsseEnvelope.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));

    assertThat(new String(pae, StandardCharsets.UTF_8))
        .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  }

  @Test
  void parse_ofToJson_givesTheSameEnvelope() throws IOException {
    DsseEnvelope e = new DsseEnvelope(DsseEnvelope.IN_TOTO, "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
        List.of(new DsseEnvelope.Signature("", new byte[] {1, 2, 3})));

    DsseEnvelope back = DsseEnvelope.parse(e.toJson());

    assertThat(back.payloadType()).isEqualTo(DsseEnvelope.IN_TOTO);
    assertThat(back.payload()).isEqualTo(e.payload());
    assertThat(back.signatures()).hasSize(1);
    assertThat(back.signatures().get(0).sig()).containsExactly(1, 2, 3);
  }

  @Test
  void parse_notAnEnvelope_saysWhatIsMissing() {
    assertThatThrownBy(() -> DsseEnvelope.parse("{\"payload\":\"e30=\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class).hasMessageContaining("payloadType and payload are required");
  }
}
