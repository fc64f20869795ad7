package io.blacktree.cli;

import io.blacktree.dev.DevServer;
import io.blacktree.dev.EmbeddedTestServer;
import io.blacktree.dev.TemporalDevException;
import io.blacktree.dev.TemporalProbe;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The Temporal that {@code blacktree dev} runs against: the CLI dev server found on (or started at) a
 * loopback {@code --temporal} address, or, only when the CLI is not installed and fallback was asked for,
 * Temporal's embedded Java test server with its limits printed. A non-loopback address is used as given.
 * The Web UI printed is the one of the server in use: {@code --web-ui-url} when given, else the UI of a server
 * started here, else the UI port of a found server when it answers there, else none.
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
  static LocalTemporal findOrStart(String target, String namespace, Integer uiPort, URI webUiUrl,
      boolean allowFallback, PrintStream out) throws CliException {
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
    String explicitUi = webUiUrl == null ? null : webUiUrl.toString();
    if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
      return new LocalTemporal(null, explicitUi, false);
    }
    DevServer.Options options = new DevServer.Options(DevServer.blacktreeHome(), "127.0.0.1", port,
        uiPort == null ? defaultUiPort(port) : uiPort, namespace, Duration.ofSeconds(90));
    boolean answers = TemporalProbe.answers(options.target(), Duration.ofSeconds(3));
    if (!answers && !DevServer.installed(options)) {
      if (!allowFallback) {
        throw new CliException(ExitCode.UNREACHABLE, "nothing answers on " + target + " and the Temporal CLI is "
            + "not installed at " + options.binary() + ": run scripts/services start, or pass --allow-fallback "
            + "for Temporal's embedded test server (no listing, no reset, no Web UI, no persistence)");
      }
      return new LocalTemporal(EmbeddedTestServer.start(port, namespace, out), explicitUi, true);
    }
    try {
      DevServer server = DevServer.findOrStart(options);
      return new LocalTemporal(server,
          chooseWebUi(explicitUi, server.startedHere(), server.webUiUrl(), LocalTemporal::answersHttp), false);
    } catch (TemporalDevException e) {
      throw CliException.unreachable("Temporal dev server: " + e.getMessage(), e);
    }
  }

  /** The Temporal CLI's own default: the Web UI listens 1000 above the frontend's port (7233 -> 8233). */
  static int defaultUiPort(int frontendPort) {
    return frontendPort + 1000;
  }

  /**
   * The UI to print: the one given, else that of a server started here, else that of a found server when it
   * answers on its UI port (a server someone else started may have no UI, or one elsewhere), else none.
   */
  static String chooseWebUi(String explicit, boolean startedHere, String candidate, Predicate<String> answers) {
    if (explicit != null) {
      return explicit;
    }
    return startedHere || answers.test(candidate) ? candidate : null;
  }

  private static boolean answersHttp(String url) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3))
          .GET().build(), HttpResponse.BodyHandlers.discarding());
      return response.statusCode() < 500;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The Web UI's base URL, or null (none known: embedded test server, a remote Temporal without --web-ui-url). */
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
