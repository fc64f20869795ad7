package io.blacktree.e2e.soak;

import io.blacktree.e2e.faults.PrivateDockerd;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.Docker;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every soak shape has besides its Temporal and RabbitMQ: the soak's IDs, directory and git repositories,
 * the registry (127.0.0.1:5000, unique repository names), a private dockerd the workers build on, a git daemon,
 * {@code blacktree setup} against the shape's services, the build workers, the arguments every orchestrator and
 * bridge of a soak runs with, and closing all of it.
 */
abstract class SoakStackBase implements SoakPipeline {
  protected final TestIds ids;
  protected final Path dir;
  protected final GitRepos repos;
  protected final PrivateDockerd dockerd;
  /** Closed in reverse order, before the services. */
  protected final List<AutoCloseable> closeables = new ArrayList<>();
  protected SoakWorkers workers;
  private final String registry;

  SoakStackBase(String name, Path dir) throws IOException {
    this.ids = TestIds.forName(name);
    this.dir = dir;
    this.repos = new GitRepos(dir.resolve("git"));
    this.registry = ServiceEndpoints.fromEnvironment().registryOpen();
    this.dockerd = new PrivateDockerd();
  }

  /**
   * Once the shape's Temporal and RabbitMQ answer: starts the dockerd and the git daemon, runs
   * {@code blacktree setup} against the services, and makes the {@code workerCount} workers (not yet started).
   */
  protected final void startCommon(int workerCount) throws Exception {
    dockerd.start();
    GitDaemonServer git = GitDaemonServer.start(repos.baseDir());
    closeables.add(git);
    Cli.Result setup = new Cli(Map.of(
        "BLACKTREE_TEMPORAL", temporalTarget(),
        "BLACKTREE_NAMESPACE", "default",
        "BLACKTREE_AMQP", amqpUrls(),
        "BLACKTREE_QUEUE_PREFIX", queuePrefix())).run("setup");
    if (setup.exitCode() != 0) {
      throw new IllegalStateException("blacktree setup failed: " + setup);
    }
    workers = new SoakWorkers(ids, dir, workerCount, registry, git.baseUrl(), dockerd.host());
    closeables.add(workers);
  }

  /** {@code blacktree orchestrator} of this soak, owning the workers at {@code workerAddresses} (comma-separated). */
  protected final List<String> orchestratorArgs(String workerAddresses) {
    return List.of("orchestrator", "--temporal", temporalTarget(), "--namespace", "default",
        "--amqp", amqpUrls(), "--queue-prefix", queuePrefix(), "--workers", workerAddresses,
        "--deploy-task-queue", deployTaskQueue(), "--dispatch-task-queue", ids.name("dispatch"),
        "--job-time-limit", "PT5M", "--heartbeat-timeout", "PT10S", "--max-attempts", "8",
        "--initial-backoff", "PT2S", "--max-backoff", "PT8S", "--health-check-interval", "PT1S");
  }

  /** {@code blacktree bridge} of this soak. */
  protected final List<String> bridgeArgs() {
    return List.of("bridge", "--temporal", temporalTarget(), "--namespace", "default", "--amqp", amqpUrls(),
        "--queue-prefix", queuePrefix(), "--task-queue", deployTaskQueue());
  }

  final String deployTaskQueue() {
    return ids.name("deploy");
  }

  /** The shape's own Temporal and RabbitMQ, closed last. */
  protected abstract List<AutoCloseable> services();

  @Override
  public TestIds ids() {
    return ids;
  }

  @Override
  public GitRepos repos() {
    return repos;
  }

  @Override
  public Path dir() {
    return dir;
  }

  @Override
  public SoakWorkers workers() {
    return workers;
  }

  @Override
  public List<String> containers() {
    return Docker.cli("-H", dockerd.host(), "ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}} {{.Command}}")
        .lines().filter(l -> !l.isBlank()).toList();
  }

  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>(closeables);
    java.util.Collections.reverse(all);
    all.add(dockerd);
    all.addAll(services());
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }
}
