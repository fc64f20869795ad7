package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.bridge.BridgeConfig;
import io.blacktree.workflows.OrchestratorConfig;
import io.blacktree.worker.BuilderSettings;
import io.blacktree.worker.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The cli adds no defaults of its own: a command without flags runs with exactly its config builder's defaults,
 * and a flag (or its {@code BLACKTREE_*} variable) changes only its own field.
 */
class ConfigDefaultsTest {

  private static <T> T command(Map<String, String> env, String... args) {
    CommandLine.ParseResult parsed = Main.newCommandLine(env).parseArgs(args);
    return parsed.subcommand().commandSpec().commandLine().getCommand();
  }

  @Test
  void worker_noFlags_theBuilderDefaults() throws CliException {
    WorkerCommand worker = command(Map.of(), "worker");

    assertThat(worker.config()).isEqualTo(WorkerConfig.builder().build());
  }

  @Test
  void worker_sharedJobTimeLimitFromEnv_onlyThatField() throws CliException {
    WorkerCommand worker = command(Map.of("BLACKTREE_JOB_TIME_LIMIT", "PT7M"), "worker");

    assertThat(worker.config()).isEqualTo(WorkerConfig.builder().jobTimeLimit(Duration.ofMinutes(7)).build());
  }

  @Test
  void orchestrator_onlyWorkers_theBuilderDefaults() throws CliException {
    OrchestratorCommand orchestrator = command(Map.of(), "orchestrator", "--workers", "10.0.0.5:50051");

    assertThat(orchestrator.options.toConfig(OrchestratorConfig.builder(), orchestrator.amqp, orchestrator.limits))
        .isEqualTo(OrchestratorConfig.builder().workers(List.of("10.0.0.5:50051")).build());
  }

  @Test
  void bridge_noFlags_theBuilderDefaults() throws CliException {
    BridgeCommand bridge = command(Map.of(), "bridge");

    assertThat(bridge.options.toConfig(bridge.amqp, bridge.policy)).isEqualTo(BridgeConfig.builder().build());
  }

  @Test
  void dev_workerFlagsOfTheSharedGroup_overDevDefaults() throws CliException {
    DevCommand dev = command(Map.of(), "dev", "--grace", "PT9S", "--git-allowed-hosts", "git.example.com");

    WorkerConfig config = dev.workerOptions.toConfig(DevOptions.workerBase(), dev.policy, dev.limits);

    assertThat(config.port()).isZero();
    assertThat(config.registryMode()).isEqualTo(WorkerConfig.RegistryMode.NONE);
    assertThat(config.registryUrl()).isEqualTo("127.0.0.1:5000");
    assertThat(config.grace()).isEqualTo(Duration.ofSeconds(9));
    assertThat(config.policy().allowedGitHosts()).containsExactly("git.example.com");
    assertThat(config.jobTimeLimit()).isEqualTo(WorkerConfig.builder().build().jobTimeLimit());
  }

  /** What scripts/demo hands dev for a home where no buildkitd runs: the services' buildkitd and buildctl. */
  @Test
  void dev_buildKitFromEnv_reachesTheDevWorker() throws CliException {
    DevCommand dev = command(Map.of("BLACKTREE_BUILDKIT_ADDR", "unix:///srv/bk/buildkitd.sock",
        "BLACKTREE_BUILDCTL", "/srv/bk/buildctl", "BLACKTREE_BUILDER", "buildkit"), "dev");

    BuilderSettings builder = dev.workerOptions.toConfig(DevOptions.workerBase(), dev.policy, dev.limits)
        .builderSettings();

    assertThat(builder.mode()).isEqualTo(BuilderSettings.Mode.BUILDKIT);
    assertThat(builder.buildkitAddr()).isEqualTo("unix:///srv/bk/buildkitd.sock");
    assertThat(builder.buildctl()).isEqualTo(Path.of("/srv/bk/buildctl"));
  }
}
