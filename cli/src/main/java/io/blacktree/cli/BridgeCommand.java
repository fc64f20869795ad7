package io.blacktree.cli;

import io.blacktree.bridge.BridgeApp;
import io.blacktree.bridge.BrokerException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

  @Override
  public Integer call() throws CliException, InterruptedException {
    BridgeApp app;
    try {
      app = BridgeApp.create(options.toConfig(amqp, temporal), new SimpleMeterRegistry());
      app.start();
    } catch (BrokerException e) {
      throw CliException.unreachable("bridge could not start: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw CliException.badInput("invalid bridge options: " + e.getMessage());
    }
    return Foreground.runUntilStopped(app, "bridge");
  }
}
