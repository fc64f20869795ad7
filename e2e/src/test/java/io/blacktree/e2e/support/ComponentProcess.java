package io.blacktree.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One Blacktree component ({@code blacktree worker|orchestrator|bridge ...}) running as a real child JVM: the
 * test's own class path and {@code io.blacktree.cli.Main}, so it always runs the code just built. Output goes
 * to {@code target/e2e-logs/<name>.log}; {@link #close} sends SIGTERM (the CLI closes the app in its shutdown
 * hook) and kills the process if it has not stopped within 20 s.
 */
public final class ComponentProcess implements AutoCloseable {
  private static final Path LOG_DIR = Path.of("target", "e2e-logs");

  private final String name;
  private final Process process;
  private final Path log;

  private ComponentProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code main} with {@code args} in a child JVM; {@code env} is added to this JVM's environment. */
  public static ComponentProcess start(String name, String main, List<String> args, Map<String, String> env) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main);
    command.addAll(args);
    try {
      Files.createDirectories(LOG_DIR);
      Path log = LOG_DIR.resolve(name + ".log");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
      builder.environment().keySet().removeIf(k -> k.startsWith("BLACKTREE_") && !k.equals("BLACKTREE_HOME"));
      builder.environment().putAll(env);
      return new ComponentProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts {@code blacktree <args>} in a child JVM. */
  public static ComponentProcess blacktree(String name, List<String> args) {
    return start(name, "io.blacktree.cli.Main", args, Map.of());
  }

  /** A port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until {@code port} on 127.0.0.1 accepts connections; fails with the log when the process dies. */
  public void awaitPort(int port, Duration bound) {
    await("port " + port, bound, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }

  /** Waits until the log contains {@code text}. */
  public void awaitLog(String text, Duration bound) {
    await("log line '" + text + "'", bound, () -> output().contains(text));
  }

  /** Polls {@code condition} every 100 ms until it holds or {@code bound} passes. */
  public void await(String what, Duration bound, BooleanSupplier condition) {
    Instant end = Instant.now().plus(bound);
    while (Instant.now().isBefore(end)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before " + what
            + "; log:\n" + tail());
      }
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(name + ": no " + what + " within " + bound + "; log:\n" + tail());
  }

  /** SIGKILL ({@code kill -9}) to this process by its handle; waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " still alive 30 s after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The process's id (for what the kernel shows of it under {@code /proc/<pid>}). */
  public long pid() {
    return process.pid();
  }

  /** Waits for the process to end by itself and returns its exit code; fails with the log after {@code bound}. */
  public int awaitExit(Duration bound) {
    try {
      if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(name + " still running after " + bound + "; log:\n" + tail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return process.exitValue();
  }

  /** Everything the process printed so far. */
  /**
   * For failure messages: each process's name, whether it exited, and the last {@code chars} characters of its
   * output; null entries (a component not started) are skipped.
   */
  public static String tails(Iterable<ComponentProcess> processes, int chars) {
    StringBuilder sb = new StringBuilder();
    for (ComponentProcess p : processes) {
      if (p == null) {
        continue;
      }
      String out = p.output();
      sb.append("\n--- ").append(p).append(p.isAlive() ? "" : " (exited)").append('\n')
          .append(out.length() > chars ? out.substring(out.length() - chars) : out);
    }
    return sb.toString();
  }

  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private String tail() {
    String out = output();
    return out.length() > 4000 ? out.substring(out.length() - 4000) : out;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
