package io.blacktree.e2e.soak;

import io.blacktree.e2e.faults.PrivateTemporal;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.testsupport.PrivateRabbit;
import io.blacktree.testsupport.fault.FaultProxy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The one-node pipeline for a soak, every part of it the soak's own except the registry ({@link SoakStackBase}):
 * a private Temporal dev server, a private RabbitMQ node, a private dockerd, a git daemon; {@code W} build
 * workers (reached by the orchestrator through a {@link FaultProxy} each), one orchestrator and one bridge, each a
 * real {@code blacktree} process. Every component can be killed and started again; the services can be
 * restarted.
 */
final class SoakStack extends SoakStackBase {
  static final Duration LINK_CUT = Duration.ofSeconds(20);

  private final PrivateTemporal temporal;
  private final PrivateRabbit rabbit;
  private final int workerCount;
  private final List<FaultProxy> links = new ArrayList<>();
  private ComponentProcess orchestrator;
  private ComponentProcess bridge;
  private int orchestratorStarts;
  private int bridgeStarts;

  SoakStack(Path dir, int workers) throws IOException {
    super("soak", dir);
    this.workerCount = workers;
    this.temporal = new PrivateTemporal(dir.resolve("temporal"));
    this.rabbit = new PrivateRabbit(dir.resolve("rabbit"));
  }

  @Override
  public void start() throws Exception {
    temporal.start();
    rabbit.start();
    startCommon(workerCount);
    for (int i = 0; i < workerCount; i++) {
      workers.start(i);
      FaultProxy link = FaultProxy.start("127.0.0.1", workers.port(i));
      closeables.add(link);
      links.add(link);
    }
    startOrchestrator();
    startBridge();
  }

  @Override
  protected List<AutoCloseable> services() {
    return List.of(rabbit, temporal);
  }

  @Override
  public String temporalTarget() {
    return temporal.target();
  }

  @Override
  public String amqpUrls() {
    return rabbit.url();
  }

  @Override
  public boolean replicatedQueues() {
    return false;
  }

  // ---- processes

  private void startOrchestrator() {
    orchestratorStarts++;
    String addresses = String.join(",", links.stream().map(FaultProxy::address).toList());
    orchestrator = ComponentProcess.blacktree(ids.name("orchestrator") + "-" + orchestratorStarts,
        orchestratorArgs(addresses));
    closeables.add(orchestrator);
    orchestrator.awaitLog("is healthy", Duration.ofSeconds(120));
  }

  private void startBridge() {
    bridgeStarts++;
    bridge = ComponentProcess.blacktree(ids.name("bridge") + "-" + bridgeStarts, bridgeArgs());
    closeables.add(bridge);
  }

  @Override
  public void stopBridges() {
    bridge.close();
  }

  // ---- faults

  @Override
  public List<FaultKind> faultKinds() {
    return SoakMode.SINGLE.faultKinds();
  }

  @Override
  public String target(FaultSchedule.Planned f) {
    return switch (f.kind()) {
      case WORKER_KILL, LINK_CUT -> "worker" + f.worker();
      case ORCHESTRATOR_KILL -> "orchestrator";
      case BRIDGE_KILL -> "bridge";
      case RABBIT_RESTART -> "rabbitmq";
      case TEMPORAL_RESTART -> "temporal";
      case DOCKERD_RESTART -> "dockerd";
      default -> throw new IllegalArgumentException(f.kind() + " is not a fault of the one-node soak");
    };
  }

  @Override
  public void inject(FaultSchedule.Planned f) throws Exception {
    switch (f.kind()) {
      case WORKER_KILL -> {
        workers.kill(f.worker());
        Thread.sleep(2000);
        workers.start(f.worker());
      }
      case ORCHESTRATOR_KILL -> {
        orchestrator.kill();
        Thread.sleep(3000);
        startOrchestrator();
      }
      case BRIDGE_KILL -> {
        bridge.kill();
        Thread.sleep(2000);
        startBridge();
      }
      case RABBIT_RESTART -> rabbit.restart();
      case TEMPORAL_RESTART -> {
        temporal.kill();
        Thread.sleep(5000);
        temporal.start();
      }
      case LINK_CUT -> {
        links.get(f.worker()).blackhole(LINK_CUT);
        Thread.sleep(LINK_CUT.toMillis());
        links.get(f.worker()).pass();
      }
      case DOCKERD_RESTART -> {
        dockerd.stop();
        dockerd.start();
      }
      default -> throw new IllegalArgumentException(f.kind() + " is not a fault of the one-node soak");
    }
  }

  @Override
  public List<String> restartDead() {
    List<String> dead = new ArrayList<>();
    for (int i = 0; i < workerCount; i++) {
      if (!workers.process(i).isAlive()) {
        dead.add(workers.process(i).toString());
        workers.start(i);
      }
    }
    if (!orchestrator.isAlive()) {
      dead.add(orchestrator.toString());
      startOrchestrator();
    }
    if (!bridge.isAlive()) {
      dead.add(bridge.toString());
      startBridge();
    }
    return dead;
  }
}
