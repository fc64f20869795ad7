package io.blacktree.cli;

import io.blacktree.worker.WorkerApp;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code blacktree worker}: one build worker (gRPC), running until stopped. */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Run a build worker: gRPC server that clones, builds and pushes one job at a time.")
final class WorkerCommand implements Callable<Integer> {
  @Mixin WorkerOptions options;

  @Override
  public Integer call() throws CliException, InterruptedException {
    WorkerApp app = WorkerApp.create(options.toConfig());
    try {
      app.start();
    } catch (IOException e) {
      app.close();
      throw CliException.unreachable("worker could not start: " + e.getMessage(), e);
    }
    return Foreground.runUntilStopped(app, "worker");
  }
}
