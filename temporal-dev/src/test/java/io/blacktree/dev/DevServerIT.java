package io.blacktree.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.Defaults;
import io.blacktree.core.Names;
import io.blacktree.testrule.Prerequisites;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real dev server: reused when it answers, started (and stopped) when not, search attributes registered. */
class DevServerIT {

  private static Map<String, ?> customAttributes(String target, String namespace) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(target).validateAndBuildWithDefaults());
    try {
      return operator.blockingStub()
          .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
          .getCustomAttributesMap();
    } finally {
      operator.shutdownNow();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void findOrStart_serverAlreadyRunning_reusesItAndRegistersAttributes() throws Exception {
    Prerequisites.require(TemporalProbe.answers(Defaults.TEMPORAL_TARGET, Duration.ofSeconds(3)),
        "Temporal dev server at " + Defaults.TEMPORAL_TARGET);

    try (DevServer server = DevServer.findOrStart(new DevServer.Options(DevServer.blacktreeHome(), "127.0.0.1", 7233, 8233,
        Defaults.NAMESPACE, Duration.ofSeconds(60)))) {
      assertThat(server.startedHere()).isFalse();
      assertThat(customAttributes(server.target(), "default")).containsKeys(
          Names.SEARCH_ATTRIBUTES.toArray(String[]::new));
    }
    assertThat(TemporalProbe.answers("127.0.0.1:7233", Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void findOrStart_nothingOnPort_startsServerThenCloseStopsIt(@TempDir Path home) throws Exception {
    Path installed = new DevServer.Options(DevServer.blacktreeHome(), "127.0.0.1", 7233, 8233,
        Defaults.NAMESPACE, Duration.ofSeconds(60)).binary();
    Prerequisites.require(Files.isExecutable(installed), "Temporal CLI at " + installed);
    Files.createDirectories(home.resolve("go/bin"));
    Files.createSymbolicLink(home.resolve("go/bin/temporal"), installed);
    DevServer.Options options =
        new DevServer.Options(home, "127.0.0.1", freePort(), freePort(), "default", Duration.ofSeconds(90));

    try (DevServer server = DevServer.findOrStart(options)) {
      assertThat(server.startedHere()).isTrue();
      assertThat(customAttributes(server.target(), "default")).containsKeys(
          Names.SEARCH_ATTRIBUTES.toArray(String[]::new));
      assertThat(Files.exists(options.database())).isTrue();
    }
    assertThat(TemporalProbe.portOpen("127.0.0.1", options.port(), Duration.ofSeconds(1))).isFalse();
  }
}
