package io.blacktree.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EmbeddedTestServerTest {

  @Test
  void start_freePort_printsLimitsAndRegistersAttributes() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    try (EmbeddedTestServer server =
        EmbeddedTestServer.start(port, "default", new PrintStream(out, true, StandardCharsets.UTF_8))) {
      io.temporal.serviceclient.WorkflowServiceStubs stubs = io.temporal.serviceclient.WorkflowServiceStubs
          .newServiceStubs(io.temporal.serviceclient.WorkflowServiceStubsOptions.newBuilder()
              .setTarget(server.target()).build());
      try {
        // registered by start(): a second registration finds them all present
        assertThat(new SearchAttributeRegistrar(stubs).register("default")).isEmpty();
      } finally {
        stubs.shutdownNow();
      }
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("no listing").contains("no reset").contains("no Web UI").contains("no persistence");
  }
}
