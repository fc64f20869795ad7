package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.blacktree.core.Names;
import io.blacktree.testsupport.PrivateRabbit;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.tls.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AMQP options over TLS against a RabbitMQ node of this test with an SSL listener (certificates of a CA
 * made here): setup and submit work through {@code amqps://} with {@code --amqp-tls-ca} and the password from a
 * file or env; plaintext to the TLS port and a broker certificate of another CA fail with a clear error, and
 * the password is never printed.
 */
class AmqpTlsIT {
  private static final String PASSWORD = "guest";
  private static final String PREFIX = "tlsit.";
  @TempDir static Path dir;
  private static PrivateRabbit rabbit;
  private static TestPki pki;
  private static Path passwordFile;

  @BeforeAll
  static void startBroker() throws Exception {
    ServiceRequirement.require(Service.TEMPORAL);
    ServiceRequirement.requireThat(TestPki.opensslAvailable(), "openssl CLI");
    pki = TestPki.create(dir, "amqp");
    TestPki.Leaf server = pki.issue("rabbit");
    rabbit = new PrivateRabbit(dir.resolve("rabbit"));
    rabbit.enableTls(pki.caCert, server.cert(), server.key());
    rabbit.start();
    awaitTlsListener();
    passwordFile = Files.writeString(dir.resolve("amqp-password"), PASSWORD + "\n", StandardCharsets.UTF_8);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (rabbit != null) {
      rabbit.close();
    }
  }

  @Test
  void setupAndSubmit_amqpsWithCaAndPasswordApart_declareAndPublishOverTls() throws Exception {
    CliRun setup = CliRun.run("setup", "--queue-prefix", PREFIX, "--amqp", rabbit.tlsUrl(),
        "--amqp-password-file", passwordFile.toString(), "--amqp-tls-ca", pki.caCert.toString());
    CliRun submit = CliRun.run(Map.of("BLACKTREE_AMQP_PASSWORD", PASSWORD, "BLACKTREE_AMQP_TLS_CA",
            pki.caCert.toString()), "submit", "--queue-prefix", PREFIX, "--amqp", rabbit.tlsUrl(),
        "--repo", "demo/hello", "--branch", "main", "--version", "tls-1", "--account", "123456789012",
        "--ecr-repo", "app-images");

    assertThat(setup.exitCode()).as(setup.err()).isZero();
    assertThat(submit.exitCode()).as(submit.err()).isZero();
    try (Connection plain = plainConnection(); Channel channel = plain.createChannel()) {
      GetResponse message = channel.basicGet(PREFIX + Names.BUILD_QUEUE, true);
      assertThat(message).as("the request published over TLS").isNotNull();
      assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).contains("\"deployment_version\":\"tls-1\"");
    }
  }

  @Test
  void submit_plaintextToTheTlsPort_exits3WithAClearErrorAndNoPassword() {
    CliRun run = CliRun.run(Map.of("BLACKTREE_AMQP_PASSWORD", "canary-amqp-pw"), "submit", "--queue-prefix",
        PREFIX, "--amqp", "amqp://guest@127.0.0.1:" + rabbit.tlsPort(), "--repo", "demo/hello", "--branch", "main",
        "--version", "tls-2", "--account", "123456789012", "--ecr-repo", "app-images");

    assertThat(run.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(run.err()).contains("RabbitMQ at amqp://guest@127.0.0.1:" + rabbit.tlsPort())
        .contains("if this is a TLS port, use an amqps:// URL").doesNotContain("canary-amqp-pw");
  }

  @Test
  void submit_brokerCertificateOfAnotherCa_exits3TlsHandshakeFailed() throws Exception {
    TestPki other = TestPki.create(dir, "other");

    CliRun run = CliRun.run("submit", "--queue-prefix", PREFIX, "--amqp", rabbit.tlsUrl(),
        "--amqp-password-file", passwordFile.toString(), "--amqp-tls-ca", other.caCert.toString(),
        "--repo", "demo/hello", "--branch", "main", "--version", "tls-3", "--account", "123456789012",
        "--ecr-repo", "app-images");

    assertThat(run.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(run.err()).contains("TLS handshake failed").doesNotContain(":" + PASSWORD + "@");
  }

  @Test
  void submit_amqpsWithoutCaAgainstAPrivateCa_refusedByTheJdkTrustStore() {
    CliRun run = CliRun.run("submit", "--queue-prefix", PREFIX, "--amqp", rabbit.tlsUrl(),
        "--amqp-password-file", passwordFile.toString(), "--repo", "demo/hello", "--branch", "main",
        "--version", "tls-4", "--account", "123456789012", "--ecr-repo", "app-images");

    assertThat(run.exitCode()).as("amqps:// never trusts every certificate").isEqualTo(ExitCode.UNREACHABLE);
    assertThat(run.err()).contains("TLS handshake failed");
  }

  private static Connection plainConnection() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(rabbit.url());
    return factory.newConnection("tls-it-check");
  }

  private static void awaitTlsListener() throws Exception {
    long end = System.nanoTime() + 30_000_000_000L;
    while (true) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", rabbit.tlsPort()), 300);
        return;
      } catch (java.io.IOException e) {
        if (System.nanoTime() > end) {
          throw new IllegalStateException("the TLS listener did not open", e);
        }
        Thread.sleep(200);
      }
    }
  }
}
