package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.worker.WorkerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The worker's flags as the user gives them, down to the config the worker runs with. */
class WorkerOptionsTest {

  private static WorkerConfig parse(String... args) throws CliException {
    CommandLine cli = Main.newCommandLine(Map.of());
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    WorkerCommand worker = parsed.subcommand().commandSpec().commandLine().getCommand();
    return worker.options.toConfig();
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
}
