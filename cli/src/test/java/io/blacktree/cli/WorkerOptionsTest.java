package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blacktree.worker.BuilderSettings;
import io.blacktree.worker.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The worker's flags as the user gives them, down to the config the worker runs with. */
class WorkerOptionsTest {

  private static WorkerConfig parse(String... args) throws CliException {
    CommandLine cli = Main.newCommandLine(Map.of());
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    WorkerCommand worker = parsed.subcommand().commandSpec().commandLine().getCommand();
    return worker.config();
  }

  @Test
  void gitCacheDir_workdirGiven_isGitCacheBesideTheWorkdir() throws CliException {
    WorkerConfig config = parse("worker", "--workdir", "/tmp/nc/worker");

    assertThat(config.effectiveGitCacheDir()).isEqualTo(Path.of("/tmp/nc/git-cache"));
  }

  @Test
  void gitCacheDir_noFlags_isGitCacheInBlacktreeHome() throws CliException {
    String home = System.getenv().getOrDefault("BLACKTREE_HOME", System.getProperty("user.home") + "/.blacktree");

    WorkerConfig config = parse("worker");

    assertThat(config.effectiveGitCacheDir()).isEqualTo(Path.of(home, "git-cache"));
  }

  @Test
  void gitCacheDir_flagGiven_wins() throws CliException {
    WorkerConfig config = parse("worker", "--workdir", "/tmp/nc/worker", "--git-cache-dir", "/var/cache/bt-git");

    assertThat(config.effectiveGitCacheDir()).isEqualTo(Path.of("/var/cache/bt-git"));
  }

  @Test
  void help_gitCacheDir_namesTheDefaultTheCodeUses() {
    CommandLine worker = Main.newCommandLine(Map.of()).getSubcommands().get("worker");

    assertThat(worker.getUsageMessage().replaceAll("\\s+", " ")).contains("git-cache beside --workdir")
        .contains("$BLACKTREE_HOME/git-cache with the default --workdir");
  }

  @Test
  void builder_noFlags_autoAgainstTheServicesSocket() throws CliException {
    String home = System.getenv().getOrDefault("BLACKTREE_HOME", System.getProperty("user.home") + "/.blacktree");

    WorkerConfig config = parse("worker");

    assertThat(config.builderSettings().mode()).isEqualTo(BuilderSettings.Mode.AUTO);
    assertThat(config.builderSettings().buildkitAddr()).isEqualTo("unix://" + Path.of(home, "run/buildkitd.sock"));
    assertThat(config.builderSettings().buildctl()).isEqualTo(Path.of(home, "bin/buildctl"));
  }

  @Test
  void builder_flagsGiven_win() throws CliException {
    WorkerConfig config = parse("worker", "--builder", "ENGINE", "--buildkit-addr", "tcp://10.0.0.5:1234");

    assertThat(config.builderSettings().mode()).isEqualTo(BuilderSettings.Mode.ENGINE);
    assertThat(config.builderSettings().buildkitAddr()).isEqualTo("tcp://10.0.0.5:1234");
  }

  @Test
  void builder_unknownValueOrBadAddress_badInputNamingTheFlag() {
    assertThatThrownBy(() -> parse("worker", "--builder", "kaniko")).isInstanceOf(CliException.class)
        .hasMessageContaining("--builder: must be auto, buildkit or engine, not 'kaniko'");
    assertThatThrownBy(() -> parse("worker", "--buildkit-addr", "/run/buildkitd.sock"))
        .isInstanceOf(CliException.class).hasMessageContaining("buildkitAddr: must be unix:///path or tcp://host:port");
  }

  @Test
  void registryCache_noFlags_onWithMainAsFallback() throws CliException {
    WorkerConfig config = parse("worker");

    assertThat(config.builderSettings().registryCache()).isTrue();
    assertThat(config.builderSettings().registryCacheFallback()).isEqualTo("main");
  }

  @Test
  void registryCache_flagsOrEnvironment_offAndFallbackOverridden() throws CliException {
    assertThat(parse("worker", "--registry-cache", "OFF").builderSettings().registryCache()).isFalse();
    CommandLine cli = Main.newCommandLine(Map.of("BLACKTREE_REGISTRY_CACHE", "off",
        "BLACKTREE_REGISTRY_CACHE_FALLBACK", "develop"));
    WorkerCommand worker = cli.parseArgs("worker").subcommand().commandSpec().commandLine().getCommand();

    WorkerConfig config = worker.config();

    assertThat(config.builderSettings().registryCache()).isFalse();
    assertThat(config.builderSettings().registryCacheFallback()).isEqualTo("develop");
  }

  @Test
  void registryCache_badValue_badInputNamingTheFlag() {
    assertThatThrownBy(() -> parse("worker", "--registry-cache", "yes")).isInstanceOf(CliException.class)
        .hasMessageContaining("--registry-cache: must be on or off, not 'yes'");
    assertThatThrownBy(() -> parse("worker", "--registry-cache-fallback", "-x")).isInstanceOf(CliException.class)
        .hasMessageContaining("registryCacheFallback: must be a branch name or empty");
  }

  @Test
  void buildSecret_flagRepeatedOrEnvironment_idsMappedToFiles(@TempDir Path dir) throws Exception {
    Path npm = Files.writeString(dir.resolve("npm"), "token");
    Path pip = Files.writeString(dir.resolve("pip"), "other");

    WorkerConfig flags = parse("worker", "--build-secret", "npm=" + npm, "--build-secret", "pip=" + pip);
    CommandLine cli = Main.newCommandLine(Map.of("BLACKTREE_BUILD_SECRET", "npm=" + npm + ",pip=" + pip));
    WorkerCommand worker = cli.parseArgs("worker").subcommand().commandSpec().commandLine().getCommand();

    assertThat(flags.builderSettings().secrets().files()).containsExactlyInAnyOrderEntriesOf(Map.of("npm", npm, "pip", pip));
    assertThat(worker.config().builderSettings().secrets()).isEqualTo(flags.builderSettings().secrets());
    assertThat(parse("worker").builderSettings().secrets().files()).isEmpty();
  }

  @Test
  void buildSecret_badIdOrMissingFile_badInputNamingTheFlag(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("s"), "token");

    assertThatThrownBy(() -> parse("worker", "--build-secret", "bad id=" + file)).isInstanceOf(CliException.class)
        .hasMessageContaining("build-secret: id 'bad id' must be 1-64 of [A-Za-z0-9_.-]");
    assertThatThrownBy(() -> parse("worker", "--build-secret", "npm=" + dir.resolve("absent")))
        .isInstanceOf(CliException.class).hasMessageContaining("build-secret: the file of 'npm' is not a readable file");
  }
}
