package io.blacktree.bench;

import io.blacktree.bridge.BridgeApp;
import io.blacktree.bridge.BridgeConfig;
import io.blacktree.bridge.QueueNames;
import io.blacktree.cli.AmqpOptions;
import io.blacktree.cli.EnvDefaultProvider;
import io.blacktree.cli.Orchestrators;
import io.blacktree.cli.TemporalClients;
import io.blacktree.cli.TemporalExtras;
import io.blacktree.cli.TemporalOptions;
import io.blacktree.workflows.OrchestratorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Entry point of the child JVMs the harness starts, so that their RSS can be read from /proc:
 * {@code orchestrator <temporal> <deployQueue> <dispatchQueue> <resultsExchange> <worker,worker,...>
 * [<hostId> [<affinityWaitMillis>]]} (a build host of its own, cache affinity) or
 * {@code bridge <temporal> <deployQueue> <queuePrefix>}. Prints {@code ready}, then every 500 ms
 * {@code heap <usedBytes> <committedBytes>} (and, for the bridge, {@code started <n>}); exits when stdin closes.
 * The orchestrator's clients are built by the cli's {@code Orchestrators} from its Temporal and RabbitMQ options
 * (so {@code BLACKTREE_TEMPORAL_TLS}, {@code BLACKTREE_TEMPORAL_API_KEY}, ... apply as for the real command).
 */
public final class ChildMain {
  private ChildMain() {}

  /**
   * The Temporal and RabbitMQ flags of the cli ({@code --temporal} from the harness; TLS, API key, AMQP URL and
   * password from the {@code BLACKTREE_*} environment, as for {@code blacktree orchestrator}), so the
   * orchestrator child builds its clients exactly as the cli does.
   */
  @Command(name = "bench-orchestrator")
  static final class Links {
    @Mixin TemporalOptions temporal;
    @Mixin AmqpOptions amqp;

    static Links parse(String temporalTarget) {
      Links links = new Links();
      CommandLine line = new CommandLine(links);
      line.setDefaultValueProvider(new EnvDefaultProvider(System.getenv()));
      line.parseArgs("--temporal", temporalTarget);
      return links;
    }
  }

  public static void main(String[] args) throws Exception {
    AutoCloseable app;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    BridgeApp bridge = null;
    switch (args[0]) {
      case "orchestrator" -> {
        Links links = Links.parse(args[1]);
        OrchestratorConfig.Builder b = OrchestratorConfig.builder().workers(Arrays.asList(args[5].split(",")))
            .deployTaskQueue(args[2]).dispatchTaskQueue(args[3]).resultsExchange(args[4]);
        if (args.length > 6) {
          b.hostId(args[6]);
        }
        if (args.length > 7) {
          b.affinityWait(Duration.ofMillis(Long.parseLong(args[7])));
        }
        app = Orchestrators.start(b.build(), links.temporal, links.amqp, TemporalExtras.NONE, null);
      }
      case "bridge" -> {
        Links links = Links.parse(args[1]);
        BridgeConfig c = BridgeConfig.builder().taskQueue(args[2])
            .queueNames(QueueNames.withPrefix(args[3])).prefetch(Integer.parseInt(args[4])).build();
        TemporalClients clients = links.temporal.connectLazily(TemporalExtras.NONE, c.rpcTimeout());
        bridge = BridgeApp.create(c, links.amqp.endpoint(), clients.client(), meters,
            OpenTelemetry.noop().getTracer("io.blacktree.bench"));
        bridge.start();
        app = bridge;
      }
      default -> throw new IllegalArgumentException("orchestrator|bridge");
    }
    System.out.println("ready");
    System.out.flush();
    BridgeApp b = bridge;
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    Thread sampler = new Thread(() -> {
      while (true) {
        long used = mem.getHeapMemoryUsage().getUsed();
        long committed = mem.getHeapMemoryUsage().getCommitted();
        StringBuilder line = new StringBuilder("heap ").append(used).append(' ').append(committed);
        if (b != null) {
          line.append("\nstarted ").append((long) b.metrics().started())
              .append(' ').append((long) b.metrics().duplicate())
              .append(' ').append(System.currentTimeMillis());
        }
        System.out.println(line);
        System.out.flush();
        try {
          Thread.sleep(Duration.ofMillis(500).toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    while (System.in.read() >= 0) {
      // wait for the parent to close stdin
    }
    app.close();
    System.exit(0);
  }
}
