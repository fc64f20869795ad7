package io.blacktree.cli;

import io.blacktree.bridge.BridgeApp;
import io.blacktree.bridge.BridgeConfig;
import io.blacktree.bridge.BrokerException;
import io.blacktree.bridge.QueueNames;
import io.blacktree.workflows.OrchestratorConfig;
import io.blacktree.worker.WorkerApp;
import io.blacktree.worker.WorkerConfig;
import io.blacktree.bridge.BridgeReadiness;
import io.blacktree.core.Readiness;
import io.blacktree.workflows.OrchestratorApp;
import io.blacktree.worker.JobObserver;
import io.blacktree.worker.JobTracing;
import io.blacktree.worker.WorkerMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code blacktree dev}: one build worker, the orchestrator and the bridge in this process, against the local
 * services. Temporal is the CLI dev server found on (or started at) {@code --temporal}; the embedded test
 * server only with {@code --allow-fallback} when the CLI is not installed. Prints one line starting with
 * {@value #READY} when everything is up, then runs until stopped.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = "Run worker + orchestrator + bridge in one process against the local services "
        + "(finds or starts the Temporal dev server).")
final class DevCommand implements Callable<Integer> {
  static final String READY = "blacktree dev: ready";

  @Mixin TemporalOptions temporal;
  @Mixin AmqpOptions amqp;
  @Mixin DevOptions options;
  @Mixin WorkerOptions workerOptions;
  @Mixin PolicyOptions policy;
  @Mixin JobLimitOptions limits;
  @Mixin OrchestratorOptions orchestratorOptions;
  @Mixin OpsOptions opsOptions;
  @Spec CommandSpec spec;
  private Ops ops;

  @Override
  public Integer call() throws Exception {
    WorkerConfig.Builder workerBase = DevOptions.workerBase();
    if (workerOptions.ecrEndpoint != null && !workerOptions.ecrCreateRepositoriesGiven()) {
      workerBase.ecrCreateRepositories(true);
    }
    WorkerConfig workerConfig = workerOptions.toConfig(workerBase, policy, limits);
    ops = Ops.start(opsOptions, "blacktree-dev");
    Stack stack = new Stack();
    stack.push(ops::close);
    try {
      LocalTemporal local = stack.push(LocalTemporal.findOrStart(temporal.target(), temporal.namespace(),
          options.temporalUiPort, options.webUiUrl, options.allowFallback, System.err));
      WorkerApp worker = stack.push(WorkerApp.create(workerConfig,
          JobObserver.composite(List.of(new WorkerMetrics(ops.registry()), new JobTracing(ops.tracer())))));
      try {
        worker.start();
      } catch (IOException e) {
        throw CliException.unreachable("worker could not start: " + e.getMessage(), e);
      }
      String workerAddress = "127.0.0.1:" + worker.port();
      OrchestratorConfig.Builder orchestratorBase = OrchestratorConfig.builder().workers(List.of(workerAddress));
      if (local.embedded()) {
        orchestratorBase.stickyScheduleToStart(Duration.ZERO); // the Java test server has no sticky queues
      }
      OrchestratorConfig orchestratorConfig = orchestratorOptions.toConfig(orchestratorBase, amqp, limits);
      OrchestratorApp orchestrator = stack.push(Orchestrators.start(orchestratorConfig, temporal, amqp,
          ops.temporalExtras(TemporalExtras.NONE), ops.registry()));
      BridgeApp bridge = stack.push(startBridge(workerConfig, orchestratorConfig));
      ops.serve(Readiness.all(List.of(worker.readiness(), orchestrator.readiness(), new BridgeReadiness(bridge))));
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%s (pid %d): temporal %s%s, worker %s (registry %s %s), bridge on %s, git base %s%n", READY,
          ProcessHandle.current().pid(), temporal.target(), local.webUi() == null ? "" : ", Web UI " + local.webUi(),
          workerAddress, workerConfig.registryMode().name().toLowerCase(java.util.Locale.ROOT),
          workerConfig.registryUrl(), QueueNames.withPrefix(amqp.queuePrefix()).buildQueue(),
          workerConfig.policy().gitBaseUrl());
      out.flush();
    } catch (Exception e) {
      stack.close();
      throw e;
    }
    return Foreground.runUntilStopped(stack, "dev");
  }

  /** Dev's bridge: the worker's policy, the orchestrator's task queue. */
  private BridgeApp startBridge(WorkerConfig worker, OrchestratorConfig orchestrator) throws CliException {
    BridgeConfig config = BridgeConfig.builder()
        .queueNames(QueueNames.withPrefix(amqp.queuePrefix()))
        .policy(worker.policy())
        .taskQueue(orchestrator.deployTaskQueue())
        .connectionName("blacktree-dev-bridge")
        .build();
    TemporalClients clients = temporal.connectLazily(ops.temporalExtras(TemporalExtras.NONE), config.rpcTimeout());
    BridgeApp bridge;
    try {
      bridge = BridgeApp.create(config, amqp.endpoint(), clients.client(), ops.registry(), ops.tracer());
    } catch (BrokerException e) {
      clients.close();
      throw CliException.unreachable("bridge could not connect: " + e.getMessage(), e);
    } catch (CliException | RuntimeException e) {
      clients.close();
      throw e;
    }
    try {
      bridge.start();
      return bridge;
    } catch (BrokerException e) {
      bridge.close();
      throw CliException.unreachable("bridge could not start: " + e.getMessage(), e);
    }
  }

  /** What was started, closed in reverse order. */
  private static final class Stack implements AutoCloseable {
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    <T extends AutoCloseable> T push(T resource) {
      started.push(resource);
      return resource;
    }

    @Override
    public void close() {
      while (!started.isEmpty()) {
        try {
          started.pop().close();
        } catch (Exception e) {
          org.slf4j.LoggerFactory.getLogger(DevCommand.class).warn("closing failed: {}", e.toString());
        }
      }
    }
  }
}
