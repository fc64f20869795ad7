package io.blacktree.cli;

import io.blacktree.worker.JobObserver;
import io.blacktree.worker.JobTracing;
import io.blacktree.worker.WorkerApp;
import io.blacktree.worker.WorkerConfig;
import io.blacktree.worker.WorkerMetrics;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code blacktree worker}: one build worker (gRPC), running until stopped. A configuration the worker refuses
 * (a non-loopback {@code --listen} without mTLS or token, see {@code LinkSecurity}) exits 2 with the reason.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Run a build worker: gRPC server that clones, builds and pushes one job at a time.")
final class WorkerCommand implements Callable<Integer> {
  @Mixin WorkerOptions options;
  @Mixin PolicyOptions policy;
  @Mixin JobLimitOptions limits;
  @Mixin OpsOptions opsOptions;

  @Override
  public Integer call() throws CliException, InterruptedException {
    WorkerConfig config = config();
    Ops ops = Ops.start(opsOptions, "blacktree-worker");
    WorkerApp app;
    try {
      app = WorkerApp.create(config, JobObserver.composite(
          List.of(new WorkerMetrics(ops.registry()), new JobTracing(ops.tracer()))));
    } catch (IllegalArgumentException e) {
      ops.close();
      throw CliException.badInput(e.getMessage());
    }
    Gauge.builder("blacktree.worker.insecure.listen", () -> app.insecureListen() ? 1 : 0)
        .description("1 when the gRPC port is served off loopback without mTLS or token (--insecure-listen)")
        .register(ops.registry());
    try {
      app.start();
      ops.serve(app.readiness());
    } catch (IOException e) {
      app.close();
      ops.close();
      throw CliException.unreachable("worker could not start: " + e.getMessage(), e);
    } catch (CliException e) {
      app.close();
      ops.close();
      throw e;
    }
    return Foreground.runUntilStopped(ops.around(app), "worker");
  }

  /** The worker's config from the defaults and the flags; exit 2 naming every problem. */
  WorkerConfig config() throws CliException {
    return options.toConfig(WorkerConfig.builder(), policy, limits);
  }
}
