package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.fault.FaultProxy;
import io.blacktree.testsupport.tls.TestPki;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Temporal flags over real TLS with a client certificate: a TLS terminator ({@link FaultProxy} on a JDK TLS
 * listener, ALPN h2, client certificates of a CA made here required) in front of the shared Temporal dev server
 * stands in for a self-hosted frontend with mTLS. {@code blacktree setup} registers the search attributes through
 * it with {@code --temporal-tls-ca/-cert/-key}; without the client certificate, with another CA, or in plaintext
 * it fails with exit 3.
 */
class TemporalTlsIT {
  @TempDir static Path dir;
  static TestPki pki;
  static TestPki.Leaf client;
  static FaultProxy frontend;

  @BeforeAll
  static void start() throws Exception {
    ServiceRequirement.require(Service.TEMPORAL);
    ServiceRequirement.requireThat(TestPki.opensslAvailable(), "openssl CLI");
    pki = TestPki.create(dir, "temporal");
    TestPki.Leaf server = pki.issue("frontend");
    client = pki.issue("client");
    String temporal = ServiceEndpoints.fromEnvironment().temporalTarget();
    int colon = temporal.lastIndexOf(':');
    frontend = FaultProxy.start(mtlsListener(pki.caCert, server), temporal.substring(0, colon),
        Integer.parseInt(temporal.substring(colon + 1)));
  }

  @AfterAll
  static void stop() {
    if (frontend != null) {
      frontend.close();
    }
  }

  private static CliRun setup(String... tls) {
    List<String> args = new java.util.ArrayList<>(List.of("setup", "--skip-amqp", "--temporal",
        "127.0.0.1:" + frontend.port()));
    args.addAll(List.of(tls));
    return CliRun.run(Map.of(), args.toArray(String[]::new));
  }

  @Test
  void setup_mtlsWithCaCertAndKey_registersThroughTheTlsFrontend() {
    CliRun run = setup("--temporal-tls-ca", pki.caCert.toString(), "--temporal-tls-cert", client.cert().toString(),
        "--temporal-tls-key", client.key().toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Search attributes in namespace default");
    assertThat(frontend.tlsHandshakes()).isPositive();
  }

  @Test
  void setup_tlsWithoutClientCertificate_exits3() {
    CliRun run = setup("--temporal-tls-ca", pki.caCert.toString());

    assertThat(run.exitCode()).as(run.out()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(run.err()).contains("Temporal at 127.0.0.1:" + frontend.port() + " is unreachable");
  }

  @Test
  void setup_frontendCertificateOfAnotherCa_exits3() throws Exception {
    TestPki other = TestPki.create(dir, "other");
    TestPki.Leaf otherClient = other.issue("client2");

    CliRun run = setup("--temporal-tls-ca", other.caCert.toString(), "--temporal-tls-cert",
        otherClient.cert().toString(), "--temporal-tls-key", otherClient.key().toString());

    assertThat(run.exitCode()).as(run.out()).isEqualTo(ExitCode.UNREACHABLE);
  }

  @Test
  void setup_plaintextToTheTlsFrontend_exits3() {
    CliRun run = setup();

    assertThat(run.exitCode()).as(run.out()).isEqualTo(ExitCode.UNREACHABLE);
  }

  /**
   * A loopback TLS listener with the frontend's certificate that requires a client certificate of {@code ca}
   * and offers ALPN h2, as a gRPC frontend with mTLS does.
   */
  private static SSLServerSocket mtlsListener(Path ca, TestPki.Leaf leaf) throws Exception {
    Path p12 = dir.resolve("frontend.p12");
    Process p = new ProcessBuilder("openssl", "pkcs12", "-export", "-in", leaf.cert().toString(), "-inkey",
        leaf.key().toString(), "-out", p12.toString(), "-passout", "pass:test").redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl pkcs12").isTrue();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      keys.load(in, "test".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "test".toCharArray());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(ca)) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
        InetAddress.getLoopbackAddress());
    SSLParameters params = server.getSSLParameters();
    params.setApplicationProtocols(new String[] {"h2"});
    params.setNeedClientAuth(true);
    server.setSSLParameters(params);
    return server;
  }
}
