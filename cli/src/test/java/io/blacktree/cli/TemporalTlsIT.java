package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.tls.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
 * The Temporal flags over real TLS with a client certificate: a TLS terminator of this test (JDK TLS, ALPN h2,
 * client certificates of a CA made here required) in front of the shared Temporal dev server stands in for a
 * self-hosted frontend with mTLS. {@code blacktree setup} registers the search attributes through it with
 * {@code --temporal-tls-ca/-cert/-key}; without the client certificate, with another CA, or in plaintext it
 * fails with exit 3.
 */
class TemporalTlsIT {
  @TempDir static Path dir;
  static TestPki pki;
  static TestPki.Leaf client;
  static TlsTerminator frontend;

  @BeforeAll
  static void start() throws Exception {
    ServiceRequirement.require(Service.TEMPORAL);
    ServiceRequirement.requireThat(TestPki.opensslAvailable(), "openssl CLI");
    pki = TestPki.create(dir, "temporal");
    TestPki.Leaf server = pki.issue("frontend");
    client = pki.issue("client");
    frontend = new TlsTerminator(dir, pki.caCert, server, 7233);
  }

  @AfterAll
  static void stop() throws IOException {
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
    assertThat(frontend.handshakes()).isPositive();
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

  /** Terminates TLS (client certificate required, ALPN h2) and pipes the bytes to a plaintext port. */
  static final class TlsTerminator implements AutoCloseable {
    private final SSLServerSocket server;
    private final int upstream;
    private final java.util.concurrent.atomic.AtomicInteger handshakes = new java.util.concurrent.atomic.AtomicInteger();

    TlsTerminator(Path dir, Path ca, TestPki.Leaf leaf, int upstream) throws Exception {
      this.upstream = upstream;
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
      server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
          InetAddress.getLoopbackAddress());
      SSLParameters params = server.getSSLParameters();
      params.setApplicationProtocols(new String[] {"h2"});
      params.setNeedClientAuth(true);
      server.setSSLParameters(params);
      Thread acceptor = new Thread(this::accept, "tls-terminator");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int handshakes() {
      return handshakes.get();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) server.accept();
          Thread t = new Thread(() -> serve(tls), "tls-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(javax.net.ssl.SSLSocket tls) {
      try (tls; Socket plain = new Socket("127.0.0.1", upstream)) {
        tls.startHandshake();
        handshakes.incrementAndGet();
        Thread back = new Thread(() -> pipe(plain, tls), "tls-back");
        back.setDaemon(true);
        back.start();
        pipe(tls, plain);
        back.join(5_000);
      } catch (IOException | InterruptedException e) {
        // handshake refused or connection gone: the client sees it
      }
    }

    private static void pipe(Socket from, Socket to) {
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // closed
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException e) {
          // closed
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
