package io.blacktree.dev;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporal's CLI dev server (the real server on SQLite, with Web UI): found by health check on its port,
 * or started from {@code $BLACKTREE_HOME/go/bin/temporal} as
 * {@code server start-dev --ip 127.0.0.1 --port P --ui-port U --db-filename $BLACKTREE_HOME/temporal/dev.sqlite}.
 * Either way the search attributes are registered in the namespace before {@link #findOrStart} returns.
 * {@link #close()} stops the server only when this object started it.
 */
public final class DevServer implements AutoCloseable {
  /**
   * Flags that make the dev server's SQLite store answer faster (kept in step with {@code scripts/services}):
   * write-ahead log with no fsync per transaction (a process crash loses nothing; an OS crash may lose the
   * last transactions, acceptable for a development server), and eager activity execution (an activity on
   * the workflow's own task queue comes back with the workflow task's completion, not by a separate poll), and
   * a transfer-queue reader allowed 1,000 reads/s instead of 20: the dev server has a single history shard, so
   * the default held every hand-off of a new workflow or activity task to matching ~25 ms on average; and one
   * partition per task queue (with several, a task written to a partition no poller waits on is forwarded first).
   * Measured side by side in BENCHMARKS.md ("Temporal dev server tuning").
   */
  public static final List<String> TUNING = List.of(
      "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=off",
      "--dynamic-config-value", "system.enableActivityEagerExecution=true",
      "--dynamic-config-value", "history.transferProcessorMaxPollRPS=1000",
      "--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
      "--dynamic-config-value", "matching.numTaskqueueWritePartitions=1");

  private static final Logger log = LoggerFactory.getLogger(DevServer.class);

  /**
   * Where and how to run the dev server.
   *
   * @param home         {@code $BLACKTREE_HOME}: binary in go/bin, database in temporal/, log in logs/
   * @param ip           address to listen on (127.0.0.1)
   * @param port         frontend gRPC port (7233)
   * @param uiPort       Web UI port (8233)
   * @param namespace    namespace the search attributes go in (default)
   * @param startTimeout how long a fresh start may take to answer
   */
  public record Options(Path home, String ip, int port, int uiPort, String namespace, Duration startTimeout) {
    public Options {
      Objects.requireNonNull(home, "home");
      Objects.requireNonNull(ip, "ip");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(startTimeout, "startTimeout");
    }

    public Path binary() {
      return home.resolve("go").resolve("bin").resolve("temporal");
    }

    public Path database() {
      return home.resolve("temporal").resolve("dev.sqlite");
    }

    public Path logFile() {
      return home.resolve("logs").resolve("temporal-dev-" + port + ".log");
    }

    public String target() {
      return ip + ":" + port;
    }
  }

  private final Options options;
  private final Process process;

  private DevServer(Options options, Process process) {
    this.options = options;
    this.process = process;
  }

  /** {@code $BLACKTREE_HOME}, default {@code ~/.blacktree}. */
  public static Path blacktreeHome() {
    String env = System.getenv("BLACKTREE_HOME");
    return env == null || env.isBlank()
        ? Path.of(System.getProperty("user.home"), ".blacktree")
        : Path.of(env);
  }

  /**
   * Reuses a server already answering on the port, or starts one; then registers the search attributes.
   *
   * @throws TemporalDevException when the binary is missing, or the server does not answer in time
   */
  public static DevServer findOrStart(Options options) throws TemporalDevException {
    Process started = null;
    if (TemporalProbe.answers(options.target(), Duration.ofSeconds(3))) {
      log.info("Temporal dev server already answers on {}", options.target());
    } else {
      started = start(options);
      awaitAnswer(options, started);
      log.info("Temporal dev server started on {} (Web UI http://{}:{})", options.target(), options.ip(),
          options.uiPort());
    }
    DevServer server = new DevServer(options, started);
    try {
      server.registerSearchAttributes();
    } catch (RuntimeException e) {
      server.close();
      throw new TemporalDevException("could not register search attributes on " + options.target(), e);
    }
    return server;
  }

  /** True when the binary exists: without it only the embedded fallback is possible. */
  public static boolean installed(Options options) {
    return Files.isExecutable(options.binary());
  }

  public String target() {
    return options.target();
  }

  public String webUiUrl() {
    return "http://" + options.ip() + ":" + options.uiPort();
  }

  /** True when this object started the server (and so {@link #close()} stops it). */
  public boolean startedHere() {
    return process != null;
  }

  private void registerSearchAttributes() {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(options.target()).build());
    try {
      List<String> added = new SearchAttributeRegistrar(stubs).register(options.namespace());
      if (!added.isEmpty()) {
        log.info("Registered search attributes {} in namespace {}", added, options.namespace());
      }
    } finally {
      stubs.shutdownNow();
    }
  }

  private static Process start(Options options) throws TemporalDevException {
    if (!installed(options)) {
      throw new TemporalDevException("Temporal CLI not found at " + options.binary()
          + " (scripts/services installs it with go install)");
    }
    List<String> command = new ArrayList<>(List.of(options.binary().toString(), "server", "start-dev",
        "--ip", options.ip(), "--port", Integer.toString(options.port()),
        "--ui-port", Integer.toString(options.uiPort()),
        "--db-filename", options.database().toString(),
        "--namespace", options.namespace(), "--log-level", "warn"));
    command.addAll(TUNING);
    try {
      Files.createDirectories(options.database().getParent());
      Files.createDirectories(options.logFile().getParent());
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(options.logFile().toFile()))
          .start();
    } catch (IOException e) {
      throw new TemporalDevException("could not start " + options.binary(), e);
    }
  }

  private static void awaitAnswer(Options options, Process process) throws TemporalDevException {
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new TemporalDevException("Temporal dev server exited with code " + process.exitValue()
            + "; see " + options.logFile());
      }
      if (TemporalProbe.answers(options.target(), Duration.ofSeconds(1))) {
        return;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroy();
        throw new TemporalDevException("interrupted while waiting for the dev server", e);
      }
    }
    process.destroy();
    throw new TemporalDevException("Temporal dev server did not answer on " + options.target() + " within "
        + options.startTimeout().toSeconds() + " s; see " + options.logFile());
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
