package io.blacktree.testsupport.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code git daemon} serving a directory over git:// on 127.0.0.1 and an ephemeral port. Every repo below
 * the base path is exported. {@link #close()} stops the process.
 */
public final class GitDaemonServer implements AutoCloseable {
  private final Process process;
  private final int port;

  private GitDaemonServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the daemon and waits (bounded) until it accepts connections. */
  public static GitDaemonServer start(Path baseDir) {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freePort();
      try {
        Process p = new ProcessBuilder("git", "daemon", "--listen=127.0.0.1", "--port=" + port,
            "--base-path=" + baseDir, "--export-all", "--reuseaddr", "--informative-errors", baseDir.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
        if (awaitPort(p, port)) {
          return new GitDaemonServer(p, port);
        }
        p.destroyForcibly();
        last = new IllegalStateException("git daemon did not listen on port " + port);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw last;
  }

  private static boolean awaitPort(Process p, int port) {
    Instant end = Instant.now().plus(Duration.ofSeconds(15));
    while (Instant.now().isBefore(end) && p.isAlive()) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return true;
      } catch (IOException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return false;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code git://127.0.0.1:<port>/}: a git base URL that {@code owner/name} resolves against. */
  public String baseUrl() {
    return "git://127.0.0.1:" + port + "/";
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
