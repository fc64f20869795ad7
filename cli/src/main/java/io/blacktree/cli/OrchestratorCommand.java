package io.blacktree.cli;

import io.blacktree.workflows.OrchestratorApp;
import io.blacktree.workflows.OrchestratorConfig;
import java.util.List;
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

  @Override
  public Integer call() throws CliException, InterruptedException {
    OrchestratorConfig config = options.toConfig(temporal, amqp, List.of());
    OrchestratorApp app = Orchestrators.start(config, temporal, amqp);
    return Foreground.runUntilStopped(app, "orchestrator");
  }
}
