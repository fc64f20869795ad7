package io.blacktree.cli;

import io.blacktree.workflows.OrchestratorApp;
import io.blacktree.workflows.OrchestratorConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code blacktree orchestrator}: the DeployJob workflow and its activities, running until stopped. */
@Command(name = "orchestrator", mixinStandardHelpOptions = true,
    description = "Run the orchestrator: DeployJob workflows, dispatch to its build workers, result publishing.")
final class OrchestratorCommand implements Callable<Integer> {
  @Mixin TemporalOptions temporal;
  @Mixin AmqpOptions amqp;
  @Mixin OrchestratorOptions options;
  @Mixin JobLimitOptions limits;
  @Mixin OpsOptions opsOptions;

  @Override
  public Integer call() throws CliException, InterruptedException {
    OrchestratorConfig config = options.toConfig(OrchestratorConfig.builder(), amqp, limits);
    Ops ops = Ops.start(opsOptions, "blacktree-orchestrator");
    OrchestratorApp app;
    try {
      app = Orchestrators.start(config, temporal, amqp, ops.temporalExtras(TemporalExtras.NONE), ops.registry());
    } catch (CliException | RuntimeException e) {
      ops.close();
      throw e;
    }
    try {
      ops.serve(app.readiness());
    } catch (CliException e) {
      try {
        ops.around(app).close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    return Foreground.runUntilStopped(ops.around(app), "orchestrator");
  }
}
