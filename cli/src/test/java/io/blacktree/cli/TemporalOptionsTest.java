package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.uber.m3.tally.NoopScope;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class TemporalOptionsTest {
  @TempDir Path dir;

  @Command(name = "probe")
  static final class Probe implements Runnable {
    @Mixin TemporalOptions temporal;

    @Override
    public void run() {}
  }

  private static TemporalOptions parse(String... args) {
    Probe probe = new Probe();
    CommandLine cli = new CommandLine(probe);
    cli.setDefaultValueProvider(new EnvDefaultProvider(Map.of()));
    cli.parseArgs(args);
    return probe.temporal;
  }

  @Test
  void stubsBuilder_apiKeyFile_sendsTheKeyOverTls() throws Exception {
    Path key = Files.writeString(dir.resolve("key"), "canary-api-key-123\n");

    WorkflowServiceStubsOptions options = parse("--temporal-api-key-file", key.toString())
        .stubsBuilder(TemporalExtras.NONE).build();

    assertThat(options.getEnableHttps() || options.getSslContext() != null).isTrue();
    assertThat(options.getGrpcMetadataProviders()).hasSize(1);
    assertThat(options.getGrpcMetadataProviders().iterator().next().getMetadata().toString())
        .contains("canary-api-key-123").doesNotContain("\n");
  }

  @Test
  void stubsBuilder_noTlsFlags_plaintextWithExtras() throws Exception {
    NoopScope scope = new NoopScope();

    WorkflowServiceStubsOptions options = parse().stubsBuilder(TemporalExtras.NONE.withMetricsScope(scope)).build();

    assertThat(options.getSslContext()).isNull();
    assertThat(options.getEnableHttps()).isFalse();
    assertThat(options.getMetricsScope()).isSameAs(scope);
  }

  @Test
  void stubsBuilder_certWithoutKeyAndMissingFile_usageErrorNamingBoth() {
    TemporalOptions options = parse("--temporal-tls-cert", dir.resolve("nope.pem").toString());

    assertThatThrownBy(() -> options.stubsBuilder(TemporalExtras.NONE))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining("give both or neither")
        .hasMessageContaining("nope.pem: is not a readable file");
  }

  @Test
  void stubsBuilder_apiKeyAndFile_refused() throws Exception {
    Path key = Files.writeString(dir.resolve("key"), "k");

    assertThatThrownBy(() -> parse("--temporal-api-key", "secret-on-argv", "--temporal-api-key-file", key.toString())
        .stubsBuilder(TemporalExtras.NONE))
        .hasMessageContaining("give one")
        .message().doesNotContain("secret-on-argv");
  }
}
