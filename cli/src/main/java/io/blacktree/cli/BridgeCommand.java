package io.blacktree.cli;

import io.blacktree.bridge.BridgeApp;
import io.blacktree.bridge.BridgeConfig;
import io.blacktree.bridge.BrokerException;
import io.blacktree.bridge.BridgeReadiness;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code blacktree bridge}: consumes {@code jobs.build} and starts DeployJob workflows, until stopped. */
@Command(name = "bridge", mixinStandardHelpOptions = true,
    description = "Run the RabbitMQ bridge: validate requests, dead-letter invalid ones, start workflows.")
final class BridgeCommand implements Callable<Integer> {
  @Mixin AmqpOptions amqp;
  @Mixin TemporalOptions temporal;
  @Mixin BridgeOptions options;
  @Mixin PolicyOptions policy;
  @Mixin OpsOptions opsOptions;

  @Override
  public Integer call() throws CliException, InterruptedException {
    Ops ops = Ops.start(opsOptions, "blacktree-bridge");
    BridgeConfig config;
    try {
      config = options.toConfig(amqp, policy);
    } catch (CliException e) {
      ops.close();
      throw e;
    }
    TemporalClients clients = temporal.connectLazily(ops.temporalExtras(TemporalExtras.NONE), config.rpcTimeout());
    BridgeApp app;
    try {
      app = BridgeApp.create(config, amqp.endpoint(), clients.client(), ops.registry(), ops.tracer());
    } catch (BrokerException e) {
      clients.close();
      throw CliException.unreachable("bridge could not start: " + e.getMessage(), e);
    } catch (CliException | RuntimeException e) {
      clients.close();
      throw e;
    }
    try {
      app.start();
      ops.serve(new BridgeReadiness(app));
    } catch (BrokerException e) {
      app.close();
      ops.close();
      throw CliException.unreachable("bridge could not start: " + e.getMessage(), e);
    } catch (CliException e) {
      app.close();
      ops.close();
      throw e;
    }
    return Foreground.runUntilStopped(ops.around(app), "bridge");
  }
}
