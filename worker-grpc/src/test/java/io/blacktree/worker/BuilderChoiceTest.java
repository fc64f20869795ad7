package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuilderChoiceTest {
  @TempDir Path dir;
  private final EngineBuilder engine = new EngineBuilder(null, null, null, null);
  private final BuildKitBuilder buildkit = new BuildKitBuilder(null, null, null);

  @Test
  void forJob_autoWithoutBuildkitd_engineAndTheJobLogSaysWhy() {
    String addr = "unix://" + dir.resolve("missing.sock");
    List<String> jobLog = new ArrayList<>();

    ImageBuilder chosen = new BuilderChoice(BuilderSettings.Mode.AUTO, engine, buildkit, addr).forJob(jobLog::add);

    assertThat(chosen).isSameAs(engine);
    assertThat(String.join("\n", jobLog)).contains("builder: engine", "no buildkitd answers at " + addr);
  }

  @Test
  void forJob_autoWithAListeningSocket_buildKit() throws Exception {
    Path sock = dir.resolve("bk.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));

      ImageBuilder chosen = new BuilderChoice(BuilderSettings.Mode.AUTO, engine, buildkit, "unix://" + sock)
          .forJob(line -> { });

      assertThat(chosen).isSameAs(buildkit);
    }
  }

  @Test
  void forJob_explicitModes_thatBuilderWhateverAnswers() {
    String addr = "unix://" + dir.resolve("missing.sock");
    List<String> jobLog = new ArrayList<>();
    assertThat(new BuilderChoice(BuilderSettings.Mode.ENGINE, engine, buildkit, addr).forJob(jobLog::add))
        .isSameAs(engine);
    assertThat(new BuilderChoice(BuilderSettings.Mode.BUILDKIT, engine, buildkit, addr).forJob(jobLog::add))
        .isSameAs(buildkit);
  }

  @Test
  void unreachable_unsupportedScheme_saysSo() {
    assertThat(BuilderChoice.unreachable("http://x:1")).contains("unsupported address scheme 'http'");
  }
}
