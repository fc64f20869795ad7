package io.blacktree.dev;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.PrintStream;

/**
 * The zero-install fallback: Temporal's Java test server in this JVM on a real port. It is not the real
 * server: {@link #LIMITS} says what is missing, and {@link #start} prints that whenever it is used.
 */
public final class EmbeddedTestServer implements AutoCloseable {
  /** What the embedded server cannot do, printed on every use. */
  public static final String LIMITS = "Using Temporal's embedded Java test server (zero-install fallback). "
      + "Limits: no listing (blacktree jobs list and visibility queries fail), no reset, no Web UI, "
      + "no persistence (a restart loses every workflow). Install the Temporal CLI (scripts/services) "
      + "for the real dev server.";

  private final TestServer.PortBoundTestServer server;
  private final int port;

  private EmbeddedTestServer(TestServer.PortBoundTestServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts the test server on {@code 127.0.0.1:port}-reachable port {@code port}, prints {@link #LIMITS} to
   * {@code out}, and registers the search attributes in {@code namespace}.
   */
  public static EmbeddedTestServer start(int port, String namespace, PrintStream out) {
    out.println(LIMITS);
    TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port);
    EmbeddedTestServer embedded = new EmbeddedTestServer(server, port);
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(embedded.target()).build());
    try {
      new SearchAttributeRegistrar(stubs).register(namespace);
    } catch (RuntimeException e) {
      embedded.close();
      throw e;
    } finally {
      stubs.shutdownNow();
    }
    return embedded;
  }

  public String target() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() {
    server.close();
  }
}
