package io.blacktree.e2e.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.e2e.support.ListeningSockets;
import io.blacktree.e2e.support.ListeningSockets.Listener;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.tls.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secure by default, checked on real processes and on the sockets the kernel shows them listening on: a worker
 * refuses a non-loopback address without mTLS or token (exit 2, the message naming both ways), starts there with
 * a token or with mTLS, starts with {@code --insecure-listen} only with a warning and the gauge
 * {@code blacktree_worker_insecure_listen 1}; {@code blacktree dev} listens on loopback only.
 */
class ListenSecurityE2EIT {
  private static final Duration START_BOUND = Duration.ofSeconds(60);
  @TempDir static Path dir;
  static TestIds ids;
  static ServiceEndpoints endpoints;

  @BeforeAll
  static void setUp() {
    ServiceRequirement.require(Service.DOCKER, Service.RABBITMQ, Service.TEMPORAL);
    ids = TestIds.forClass(ListenSecurityE2EIT.class);
    endpoints = ServiceEndpoints.fromEnvironment();
  }

  private static List<String> worker(String name, int port, String... extra) {
    List<String> args = new ArrayList<>(List.of("worker", "--listen", "0.0.0.0", "--port", Integer.toString(port),
        "--workdir", dir.resolve(name).toString(), "--registry", "none", "--registry-url", endpoints.registryOpen(),
        "--worker-id", ids.name(name)));
    args.addAll(List.of(extra));
    return args;
  }

  /**
   * Waits until the process logs that it listens and the kernel shows it listening on every port in
   * {@code ports} (the ops port is bound just after the gRPC port is logged), and returns its listening sockets.
   */
  private static List<Listener> awaitListening(ComponentProcess p, int... ports) {
    p.awaitLog("worker listening on 0.0.0.0:" + ports[0], START_BOUND);
    p.await("listening on ports " + Arrays.toString(ports), START_BOUND, () -> {
      Set<Integer> open = ListeningSockets.of(p.pid()).stream().map(Listener::port).collect(Collectors.toSet());
      return Arrays.stream(ports).allMatch(open::contains);
    });
    return ListeningSockets.of(p.pid());
  }

  @Test
  void worker_nonLoopbackWithoutTlsOrToken_exits2NamingMtlsAndToken() {
    int port = ComponentProcess.freePort();
    try (ComponentProcess p = ComponentProcess.blacktree(ids.name("refused"), worker("refused", port))) {
      int exit = p.awaitExit(START_BOUND);

      assertThat(exit).as(p.output()).isEqualTo(2);
      assertThat(p.output()).contains("refusing to listen on 0.0.0.0").contains("mTLS")
          .contains("--tls-client-ca").contains("--auth-token-file").contains("--insecure-listen");
    }
  }

  @Test
  void worker_nonLoopbackWithToken_startsOnThatAddress() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "listen-token-" + ids.prefix(), StandardCharsets.UTF_8);
    int port = ComponentProcess.freePort();
    int metrics = ComponentProcess.freePort();
    try (ComponentProcess p = ComponentProcess.blacktree(ids.name("token"),
        worker("token", port, "--auth-token-file", token.toString(), "--metrics-port", Integer.toString(metrics)))) {
      List<Listener> sockets = awaitListening(p, port, metrics);

      assertThat(sockets).as("listening sockets").anySatisfy(l -> {
        assertThat(l.port()).isEqualTo(port);
        assertThat(l.address().isAnyLocalAddress()).isTrue();
      });
      assertThat(sockets).as("the ops port stays on loopback").anySatisfy(l -> {
        assertThat(l.port()).isEqualTo(metrics);
        assertThat(l.loopback()).isTrue();
      });
      assertThat(Scrape.of(metrics).sum("blacktree_worker_insecure_listen")).isZero();
      assertThat(p.output()).doesNotContain("--insecure-listen:");
    }
  }

  @Test
  void worker_nonLoopbackWithMtls_startsOnThatAddress() throws Exception {
    ServiceRequirement.requireThat(TestPki.opensslAvailable(), "the openssl CLI");
    TestPki pki = TestPki.create(dir.resolve("pki"), "listen");
    TestPki.Leaf server = pki.issue("worker");
    int port = ComponentProcess.freePort();
    try (ComponentProcess p = ComponentProcess.blacktree(ids.name("mtls"), worker("mtls", port,
        "--tls-cert", server.cert().toString(), "--tls-key", server.key().toString(),
        "--tls-client-ca", pki.caCert.toString()))) {
      List<Listener> sockets = awaitListening(p, port);

      assertThat(sockets).anySatisfy(l -> {
        assertThat(l.port()).isEqualTo(port);
        assertThat(l.address().isAnyLocalAddress()).isTrue();
      });
    }
  }

  @Test
  void worker_insecureListen_startsWarnsAndExportsTheGauge() throws Exception {
    int port = ComponentProcess.freePort();
    int metrics = ComponentProcess.freePort();
    try (ComponentProcess p = ComponentProcess.blacktree(ids.name("insecure"),
        worker("insecure", port, "--insecure-listen", "--metrics-port", Integer.toString(metrics)))) {
      List<Listener> sockets = awaitListening(p, port);

      assertThat(sockets).anySatisfy(l -> {
        assertThat(l.port()).isEqualTo(port);
        assertThat(l.address().isAnyLocalAddress()).isTrue();
      });
      assertThat(p.output()).containsPattern("WARN.*--insecure-listen: serving 0\\.0\\.0\\.0:" + port);
      p.await("the metrics port", START_BOUND, () -> {
        try {
          return Scrape.of(metrics).sum("blacktree_worker_insecure_listen") == 1.0;
        } catch (Exception e) {
          return false;
        }
      });
    }
  }

  @Test
  void dev_defaults_listensOnLoopbackOnly() {
    int metrics = ComponentProcess.freePort();
    String amqp = "amqp://guest:guest@" + endpoints.amqpHost() + ":" + endpoints.amqpPort();
    try (ComponentProcess p = ComponentProcess.start(ids.name("dev"), "io.blacktree.cli.Main", List.of("dev",
        "--temporal", endpoints.temporalTarget(), "--namespace", endpoints.temporalNamespace(),
        "--amqp", amqp, "--queue-prefix", ids.prefix() + ".", "--workdir", dir.resolve("dev").toString(),
        "--registry-url", endpoints.registryOpen(), "--git-base-url", "git://127.0.0.1:9/",
        "--metrics-port", Integer.toString(metrics)), Map.of())) {
      p.awaitLog("blacktree dev: ready", Duration.ofSeconds(120));

      List<Listener> sockets = ListeningSockets.of(p.pid());

      assertThat(sockets).as("dev listens on the worker port and the ops port").hasSizeGreaterThanOrEqualTo(2)
          .anySatisfy(l -> assertThat(l.port()).isEqualTo(metrics));
      assertThat(sockets).as("every socket dev listens on").allSatisfy(l -> assertThat(l.loopback())
          .as(l.toString()).isTrue());
    }
  }
}
