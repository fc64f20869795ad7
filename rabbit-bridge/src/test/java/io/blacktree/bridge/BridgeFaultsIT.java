package io.blacktree.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import io.blacktree.testsupport.fault.FaultProxy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge through faults: Temporal unreachable (through a loopback proxy the test cuts), a channel closed
 * by the broker for a channel error, and the connection closed by the broker.
 */
class BridgeFaultsIT {
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static BridgeFixture fx;
  private BridgeApp bridge;
  private FaultProxy proxy;

  @BeforeAll
  static void setUp() throws Exception {
    fx = new BridgeFixture();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (fx != null) {
      fx.close();
    }
  }

  @AfterEach
  void stop() throws IOException {
    if (bridge != null) {
      bridge.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private void startBridge(BridgeConfig.Builder config, String temporalTarget) throws Exception {
    bridge = fx.bridge(config.build(), temporalTarget);
    bridge.start();
    BridgeFixture.await("bridge consuming", WITHIN, () -> bridge.state().equals("CONSUMING"));
  }

  private static String request(String account, String version) {
    return "{\"repo_url\": \"username/reponame\", \"branch\": \"main\", \"deployment_version\": \"" + version
        + "\", \"aws_account\": \"" + account + "\", \"ecr_repo\": \"app-images\"}";
  }

  private static String id(String account, String version) {
    return "deploy:" + account + ":us-east-1:app-images:" + version;
  }

  @Test
  void temporalUnreachable_twentyMessages_heldUntilItAnswersThenAllStarted() throws Exception {
    proxy = FaultProxy.start("127.0.0.1", 7233);
    startBridge(fx.config().prefetch(5), "127.0.0.1:" + proxy.port());
    String account = BridgeFixture.randomAccount();
    List<String> ids = IntStream.range(0, 20).mapToObj(i -> id(account, "held-" + i)).toList();

    proxy.drop(Duration.ofHours(1));
    for (int i = 0; i < 20; i++) {
      fx.publish(request(account, "held-" + i), null, "held-" + i);
    }

    BridgeFixture.await("bridge holding", WITHIN, () -> bridge.state().equals("HOLDING"));
    BridgeFixture.await("all 20 back in the queue", WITHIN, () -> ready() == 20);
    long heldUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < heldUntil) {
      assertThat(bridge.state()).isEqualTo("HOLDING");
      assertThat(ready()).isEqualTo(20);
      Thread.sleep(250);
    }
    assertThat(bridge.metrics().started()).isZero();
    assertThat(bridge.metrics().startFailures()).isPositive();
    assertThat(ids).allSatisfy(id -> assertThat(fx.describe(id)).as(id).isEmpty());

    proxy.pass();

    BridgeFixture.await("all 20 workflows started", WITHIN,
        () -> ids.stream().allMatch(id -> fx.describe(id).isPresent()));
    BridgeFixture.await("build queue drained", WITHIN, () -> ready() == 0);
    assertThat(fx.ready(fx.names.deadLetterQueue())).isZero();
    assertThat(fx.countRuns("BlacktreeAccount = '" + account + "'", 20, WITHIN)).isEqualTo(20);
    assertThat(bridge.metrics().started() + bridge.metrics().duplicate()).isEqualTo(20.0);
    assertThat(bridge.state()).isEqualTo("CONSUMING");
  }

  @Test
  void channelClosedByBroker_bridgeReopensAndResumes() throws Exception {
    startBridge(fx.config(), BridgeFixture.TEMPORAL);
    String account = BridgeFixture.randomAccount();
    fx.publish(request(account, "before"), null, "before");
    BridgeFixture.await("first started", WITHIN, () -> fx.describe(id(account, "before")).orElse(null));

    Channel consuming = bridge.consumer().channel();
    consuming.basicAck(987_654, false); // unknown delivery tag: the broker closes the channel (PRECONDITION_FAILED)
    BridgeFixture.await("broker closed the channel", WITHIN, () -> !consuming.isOpen());
    fx.publish(request(account, "after"), null, "after");

    BridgeFixture.await("started after the channel error", WITHIN,
        () -> fx.describe(id(account, "after")).orElse(null));
    assertThat(bridge.consumer().channel()).isNotSameAs(consuming);
    BridgeFixture.await("build queue drained", WITHIN, () -> ready() == 0);
    assertThat(bridge.state()).isEqualTo("CONSUMING");
  }

  @Test
  void connectionClosedByBroker_bridgeReconnectsAndResumes() throws Exception {
    startBridge(fx.config(), BridgeFixture.TEMPORAL);
    String account = BridgeFixture.randomAccount();
    fx.publish(request(account, "before"), null, "before");
    BridgeFixture.await("first started", WITHIN, () -> fx.describe(id(account, "before")).orElse(null));

    closeConnection("blacktree-bridge-it-" + fx.id);
    fx.publish(request(account, "during"), null, "during");

    BridgeFixture.await("started after the reconnect", WITHIN,
        () -> fx.describe(id(account, "during")).orElse(null));
    BridgeFixture.await("build queue drained", WITHIN, () -> ready() == 0);
    assertThat(bridge.state()).isEqualTo("CONSUMING");
    assertThat(fx.ready(fx.names.deadLetterQueue())).isZero();
  }

  /**
   * {@code rabbitmqctl close_connection} on the connection with this client-provided name, through
   * {@code scripts/services rabbitmqctl}, which knows the shared node's name and Erlang cookie.
   */
  private static void closeConnection(String connectionName) throws Exception {
    String listing = rabbitmqctl("list_connections", "-s", "pid", "client_properties");
    String pid = listing.lines().filter(l -> l.contains("\"" + connectionName + "\""))
        .map(l -> l.substring(0, l.indexOf('>') + 1).trim())
        .findFirst().orElseThrow(() -> new AssertionError("no connection " + connectionName + " in " + listing));
    rabbitmqctl("close_connection", pid, "closed by BridgeFaultsIT");
  }

  private static String rabbitmqctl(String... args) throws Exception {
    Path script = Path.of("..", "scripts", "services").toAbsolutePath().normalize();
    assertThat(script).as("scripts/services above the module directory").isRegularFile();
    List<String> command = new ArrayList<>(List.of("bash", script.toString(), "rabbitmqctl"));
    command.addAll(List.of(args));
    return run(command.toArray(String[]::new));
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    return out;
  }

  private static long ready() {
    try {
      return fx.ready(fx.names.buildQueue());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
