package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LinkSecurityTest {
  private static final Path CERT = Path.of("cert.pem");
  private static final Path KEY = Path.of("key.pem");
  private static final Path CA = Path.of("ca.pem");

  private static LinkSecurity plain(String listen, boolean insecure) {
    return new LinkSecurity(null, null, null, null, listen, insecure);
  }

  @Test
  void listen_unset_isLoopback() {
    assertThat(new LinkSecurity(null, null, null, null, null, false).listen()).isEqualTo("127.0.0.1");
    assertThat(WorkerConfig.builder().build().security().loopback()).isTrue();
  }

  @Test
  void exposureRefusal_wildcardWithoutTlsOrToken_namesMtlsTokenAndTheOverride() {
    assertThat(plain("0.0.0.0", false).exposureRefusal(false)).hasValueSatisfying(m -> assertThat(m)
        .contains("0.0.0.0").contains("mTLS").contains("--tls-client-ca").contains("--auth-token-file")
        .contains("BLACKTREE_AUTH_TOKEN").contains("--insecure-listen"));
  }

  @Test
  void exposureRefusal_loopbackAddresses_allowed() {
    for (String address : new String[] {"127.0.0.1", "127.0.0.2", "::1", "localhost"}) {
      assertThat(plain(address, false).exposureRefusal(false)).as(address).isEmpty();
    }
  }

  @Test
  void exposureRefusal_tokenOrMtls_allowed() {
    assertThat(plain("0.0.0.0", false).exposureRefusal(true)).isEmpty();
    assertThat(new LinkSecurity(CERT, KEY, CA, null, "0.0.0.0", false).exposureRefusal(false)).isEmpty();
  }

  @Test
  void exposureRefusal_tlsWithoutClientCa_refused() {
    assertThat(new LinkSecurity(CERT, KEY, null, null, "::", false).exposureRefusal(false)).isPresent();
  }

  @Test
  void insecureExposure_insecureListenOffLoopbackWithoutAuth_onlyThenTrue() {
    assertThat(plain("0.0.0.0", true).exposureRefusal(false)).isEmpty();
    assertThat(plain("0.0.0.0", true).insecureExposure(false)).isTrue();
    assertThat(plain("0.0.0.0", true).insecureExposure(true)).isFalse();
    assertThat(plain("127.0.0.1", true).insecureExposure(false)).isFalse();
  }
}
