package io.blacktree.cli;

import io.blacktree.dev.DevServer;
import io.blacktree.dev.EmbeddedTestServer;
import io.blacktree.dev.TemporalDevException;
import io.blacktree.dev.TemporalProbe;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The Temporal that {@code blacktree dev} runs against: the CLI dev server found on (or started at) a
 * loopback {@code --temporal} address, or, only when the CLI is not installed and fallback was asked for,
 * Temporal's embedded Java test server with its limits printed. A non-loopback address is used as given.
 */
final class LocalTemporal implements AutoCloseable {
  private final AutoCloseable server;
  private final String webUi;
  private final boolean embedded;

  private LocalTemporal(AutoCloseable server, String webUi, boolean embedded) {
    this.server = server;
    this.webUi = webUi;
    this.embedded = embedded;
  }

  /**
   * Finds or starts the dev server for {@code target}; falls back as described above.
   *
   * @throws CliException exit 3 when no Temporal can be had
   */
  static LocalTemporal findOrStart(String target, String namespace, int uiPort, boolean allowFallback,
      PrintStream out) throws CliException {
    int colon = target.lastIndexOf(':');
    if (colon < 0) {
      throw CliException.badInput("--temporal must be host:port, was " + target);
    }
    String host = target.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(target.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw CliException.badInput("--temporal must be host:port, was " + target);
    }
    if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
      return new LocalTemporal(null, null, false);
    }
    DevServer.Options options = new DevServer.Options(DevServer.blacktreeHome(), "127.0.0.1", port, uiPort,
        namespace, Duration.ofSeconds(90));
    boolean answers = TemporalProbe.answers(options.target(), Duration.ofSeconds(3));
    if (!answers && !DevServer.installed(options)) {
      if (!allowFallback) {
        throw new CliException(ExitCode.UNREACHABLE, "nothing answers on " + target + " and the Temporal CLI is "
            + "not installed at " + options.binary() + ": run scripts/services start, or pass --allow-fallback "
            + "for Temporal's embedded test server (no listing, no reset, no Web UI, no persistence)");
      }
      return new LocalTemporal(EmbeddedTestServer.start(port, namespace, out), null, true);
    }
    try {
      DevServer server = DevServer.findOrStart(options);
      return new LocalTemporal(server, server.webUiUrl(), false);
    } catch (TemporalDevException e) {
      throw CliException.unreachable("Temporal dev server: " + e.getMessage(), e);
    }
  }

  /** The Web UI's base URL, or null (embedded test server, or a remote Temporal). */
  String webUi() {
    return webUi;
  }

  /** True for the embedded test server (no sticky queues: schedule-to-start 0). */
  boolean embedded() {
    return embedded;
  }

  @Override
  public void close() throws Exception {
    if (server != null) {
      server.close();
    }
  }
}
