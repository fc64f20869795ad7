package io.blacktree.e2e.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.e2e.support.Docker;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.fault.FaultProxy;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * One build worker and one orchestrator as real processes, with a {@link FaultProxy} on each of the worker's
 * links: orchestrator to worker ({@code --workers} names the proxy), worker to registry ({@code --registry-url}
 * names the proxy in front of 127.0.0.1:5000) and worker to git ({@code --git-base-url} names the proxy in front
 * of a {@code git daemon}). The worker's workdir is a 20 MiB tmpfs (its git cache is outside it), so a big
 * checkout fills it up. Jobs start through the Temporal API, as the bridge starts them.
 *
 * <p>A {@link WorkerObserver} polls the worker's {@code GetStatus} (directly, not through the proxy) every 100 ms
 * and records the steps each worker job ID went through: {@link WorkerObserver#builds} is how many times a
 * workflow's build ran.
 * A {@link ResultListener} collects the result messages; {@link #awaitEndedOnce} checks a job's end state.
 */
final class FaultStack implements AutoCloseable {
  static final String ACCOUNT = "123456789012";
  static final String REGION = "us-east-1";
  static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
  static final int MAX_ATTEMPTS = 6;

  final TestIds ids;
  final ServiceEndpoints endpoints;
  final GitRepos repos;
  final Path workdir;
  final boolean workdirIsTmpfs;
  final String tmpfsProblem;
  private final Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ComponentPoll poll = new ComponentPoll(() -> new ComponentProcess[] {this.orchestrator, this.worker});
  /** Workspaces and containers the jobs left behind. */
  final Leftovers leftovers;
  /** The worker's {@code GetStatus}, directly, and the steps seen per worker job; set once the worker is up. */
  WorkerObserver observer;
  FaultProxy gitProxy;
  FaultProxy registryProxy;
  FaultProxy linkProxy;
  private ResultListener results;
  private WorkflowServiceStubs service;
  WorkflowClient client;
  private EndStateCheck endState;
  ComponentProcess worker;
  ComponentProcess orchestrator;
  private AutoCloseable privateService;

  /**
   * Where the stack's components connect, for tests that run a service of their own.
   *
   * @param temporalTarget host:port of the Temporal frontend, null for the shared one
   * @param dockerHost     the worker's {@code --docker-host}, null for the shared engine
   * @param tmpfsWorkdir   whether to mount a 20 MiB tmpfs on the worker's workdir
   */
  record Options(String temporalTarget, String dockerHost, boolean tmpfsWorkdir) {
    static Options shared() {
      return new Options(null, null, true);
    }
  }

  final String temporalTarget;
  final String dockerHost;
  private int workerPort;
  private int workerStarts;
  private int orchestratorStarts;

  private FaultStack(Class<?> testClass, Path dir, boolean mounted, String tmpfsProblem, Options options) {
    this.ids = TestIds.forClass(testClass);
    this.endpoints = ServiceEndpoints.fromEnvironment();
    this.temporalTarget = options.temporalTarget() != null ? options.temporalTarget() : endpoints.temporalTarget();
    this.dockerHost = options.dockerHost();
    this.dir = dir;
    this.repos = new GitRepos(dir.resolve("git"));
    this.workdir = dir.resolve("work");
    this.workdirIsTmpfs = mounted;
    this.tmpfsProblem = tmpfsProblem;
    this.leftovers = new Leftovers(workdir, dockerHost);
  }

  /**
   * Starts everything under {@code dir}. The tmpfs mount needs root: without it the workdir is a plain
   * directory and {@link #workdirIsTmpfs} is false (the disk-full test then fails in CI, skips elsewhere).
   */
  static FaultStack start(Class<?> testClass, Path dir) throws Exception {
    return start(testClass, dir, Options.shared());
  }

  /** Starts everything under {@code dir}, connected as {@code options} says. */
  static FaultStack start(Class<?> testClass, Path dir, Options options) throws Exception {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN, Service.RABBITMQ);
    if (options.temporalTarget() == null) {
      ServiceRequirement.require(Service.TEMPORAL);
    }
    Path work = dir.resolve("work");
    Files.createDirectories(work);
    String problem = options.tmpfsWorkdir() ? TmpfsWorkdir.mount(work) : "no tmpfs asked for";
    FaultStack stack = new FaultStack(testClass, dir, problem == null, problem, options);
    try {
      stack.startAll();
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  /** Starts {@code temporal} (a dev server of the test's own), then the stack on it; the stack closes it last. */
  static FaultStack startOn(Class<?> testClass, Path dir, PrivateTemporal temporal) throws Exception {
    return owning(temporal, () -> {
      temporal.start();
      return start(testClass, dir, new Options(temporal.target(), null, false));
    });
  }

  /** Starts {@code dockerd} (an engine of the test's own), then the stack's worker on it; closed last as well. */
  static FaultStack startOn(Class<?> testClass, Path dir, PrivateDockerd dockerd) throws Exception {
    return owning(dockerd, () -> {
      dockerd.start();
      return start(testClass, dir, new Options(null, dockerd.host(), false));
    });
  }

  /** Runs {@code start} and gives the stack {@code service} to close; closes the service if the start fails. */
  private static FaultStack owning(AutoCloseable service, Callable<FaultStack> start) throws Exception {
    try {
      FaultStack stack = start.call();
      stack.privateService = service;
      return stack;
    } catch (Exception | Error e) {
      try {
        service.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private void startAll() throws Exception {
    GitDaemonServer git = GitDaemonServer.start(repos.baseDir());
    closeables.add(git);
    gitProxy = FaultProxy.start("127.0.0.1", git.port());
    closeables.add(gitProxy);
    registryProxy = FaultProxy.start(endpoints.registryOpen());
    closeables.add(registryProxy);

    Cli cli = new Cli(Map.of(
        "BLACKTREE_TEMPORAL", temporalTarget,
        "BLACKTREE_NAMESPACE", endpoints.temporalNamespace(),
        "BLACKTREE_AMQP", amqpUrl(),
        "BLACKTREE_QUEUE_PREFIX", queuePrefix()));
    Cli.Result setup = cli.run("setup");
    assertThat(setup.exitCode()).as(setup.toString()).isZero();
    results = ResultListener.start(amqpUrl(), queuePrefix(), ids.name("results"));
    service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporalTarget).build());
    client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(endpoints.temporalNamespace()).build());

    workerPort = ComponentProcess.freePort();
    startWorker();
    observer = new WorkerObserver(workerPort);
    linkProxy = FaultProxy.start("127.0.0.1", workerPort);
    closeables.add(linkProxy);

    startOrchestrator();

    observer.startWatching();
    endState = new EndStateCheck(results, client, observer, leftovers, workdir, poll);
  }

  // ---- processes

  /** Starts (or starts again, same port and workdir) the build worker and waits for its port. */
  void startWorker() {
    workerStarts++;
    List<String> args = new ArrayList<>(List.of("worker",
        "--port", Integer.toString(workerPort), "--workdir", workdir.toString(),
        "--git-cache-dir", dir.resolve("git-cache").toString(),
        "--registry", "none", "--registry-url", registryProxy.address(),
        "--git-base-url", "git://" + gitProxy.address() + "/", "--worker-id", ids.name("worker"),
        "--job-time-limit", "PT5M", "--grace", "PT60S", "--push-attempts", "8",
        // the faults injected (engine restarts, registry cuts under the engine's push retries) are the engine's
        "--builder", "engine"));
    if (dockerHost != null) {
      args.addAll(List.of("--docker-host", dockerHost));
    }
    worker = ComponentProcess.blacktree(ids.name("worker") + (workerStarts > 1 ? "-" + workerStarts : ""), args);
    closeables.add(worker);
    worker.awaitPort(workerPort, Duration.ofSeconds(60));
  }

  /** Starts (or starts again) the orchestrator and waits until it sees the worker healthy. */
  void startOrchestrator() {
    orchestratorStarts++;
    orchestrator = ComponentProcess.blacktree(
        ids.name("orchestrator") + (orchestratorStarts > 1 ? "-" + orchestratorStarts : ""), List.of("orchestrator",
        "--temporal", temporalTarget, "--namespace", endpoints.temporalNamespace(),
        "--amqp", amqpUrl(), "--queue-prefix", queuePrefix(),
        "--workers", linkProxy.address(),
        "--deploy-task-queue", ids.name("deploy"), "--dispatch-task-queue", ids.name("dispatch"),
        "--job-time-limit", "PT5M", "--heartbeat-timeout", "PT" + HEARTBEAT_TIMEOUT.toSeconds() + "S",
        "--max-attempts", Integer.toString(MAX_ATTEMPTS),
        "--initial-backoff", "PT2S", "--max-backoff", "PT4S", "--health-check-interval", "PT1S"));
    closeables.add(orchestrator);
    orchestrator.awaitLog("build worker " + linkProxy.address() + " is healthy", Duration.ofSeconds(90));
  }

  // ---- jobs

  Job job(String what, String extraRun) {
    return newJob(what, extraRun, Map.of(), true);
  }

  Job job(String what, String extraRun, Map<String, Object> extraFiles) {
    return newJob(what, extraRun, extraFiles, true);
  }

  /** A job whose repository does not exist on the git server. */
  Job jobWithoutRepo(String what) {
    return newJob(what, "true", Map.of(), false);
  }

  private Job newJob(String what, String extraRun, Map<String, Object> extraFiles, boolean createRepo) {
    return new Job(ids, repos, client, ids.name("deploy"), registryProxy.address(), what, extraRun, extraFiles,
        createRepo);
  }

  // ---- end state

  /**
   * Waits for the job's result message, then checks the end state a user relies on ({@link EndStateCheck}):
   * exactly one execution for the workflow ID, closed with the status matching the message; exactly one result
   * message; no workspace left under the workdir; no container left that ran the job's build; the worker FREE.
   *
   * @return the result message
   */
  JsonNode awaitEndedOnce(Job job, Duration bound) throws Exception {
    return awaitEndedOnce(job, bound, Set.of());
  }

  /**
   * As {@link #awaitEndedOnce(Job, Duration)}, but the containers whose ID starts with one of {@code tolerated}
   * (known leftovers a test checks itself) do not count.
   */
  JsonNode awaitEndedOnce(Job job, Duration bound, Set<String> tolerated) throws Exception {
    return endState.awaitEndedOnce(job, bound, tolerated);
  }

  static String docker(String... args) {
    return Docker.cli(args);
  }

  // ---- the worker, seen directly

  /** Waits until the worker runs a job of {@code job} in {@code step}. */
  void awaitStep(Job job, Step step, Duration bound) {
    awaitTrue(job.workflowId + " in " + step, bound, () -> observer.isIn(job, step));
  }

  // ---- RabbitMQ

  String queuePrefix() {
    return ids.prefix() + ".";
  }

  private String amqpUrl() {
    return "amqp://guest:guest@" + endpoints.amqpHost() + ":" + endpoints.amqpPort();
  }

  // ---- polling

  /** Polls {@code condition} until it holds; fails with the components' output when the bound passes or one exits. */
  void awaitTrue(String what, Duration bound, BooleanSupplier condition) {
    poll.awaitTrue(what, bound, condition);
  }

  @Override
  public void close() {
    if (observer != null) {
      observer.close();
    }
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    if (service != null) {
      service.shutdown();
    }
    if (workdirIsTmpfs) {
      TmpfsWorkdir.unmount(workdir);
    }
    if (results != null) {
      results.close();
    }
    try {
      if (privateService != null) {
        privateService.close();
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("closing the test's private service failed", e);
    }
  }
}
