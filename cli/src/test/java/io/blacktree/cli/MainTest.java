package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {

  @Test
  void execute_unknownFlag_printsUsageLineAndExits2() {
    CliRun run = CliRun.run("jobs", "list", "--no-such-flag");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--no-such-flag'")
        .contains("Usage: blacktree jobs list").contains("--help");
  }

  @ParameterizedTest
  @ValueSource(strings = {"nosuchcommand", "nosuchcommand --help", "--help nosuchcommand", "jobs nosuch --help",
      "jobs list extra --help"})
  void execute_unknownCommandEvenWithHelp_printsUsageLineAndExits2(String command) {
    String[] args = command.split(" ");
    String unknown = command.contains("extra") ? "extra" : command.contains("nosuchcommand") ? "nosuchcommand" : "nosuch";

    CliRun run = CliRun.run(args);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("'" + unknown + "'").contains("Usage: blacktree").contains("--help");
    assertThat(run.out()).doesNotContain("Commands:");
  }

  @Test
  void execute_noCommand_exits2() {
    assertThat(CliRun.run().exitCode()).isEqualTo(2);
  }

  @Test
  void execute_version_printsDistributionVersion() {
    CliRun run = CliRun.run("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("blacktree 0.1.0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "setup", "submit", "jobs", "jobs list", "jobs show", "jobs logs", "jobs retry",
      "jobs cancel", "replay", "worker", "orchestrator", "bridge", "dev"})
  void execute_helpOnEveryCommand_printsUsageAndExits0(String command) {
    String[] args = (command.isEmpty() ? "--help" : command + " --help").split(" ");

    CliRun run = CliRun.run(args);

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: blacktree");
  }

  @Test
  void submit_missingRequiredFields_exits2NamingThem() {
    CliRun run = CliRun.run("submit", "--repo", "acme/app", "--amqp", "amqp://guest:guest@127.0.0.1:1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--branch").contains("--version").contains("--account").contains("--ecr-repo");
  }

  @Test
  void submit_brokerUnreachable_exits3() {
    CliRun run = CliRun.run("submit", "--repo", "acme/app", "--branch", "main", "--version", "v1",
        "--account", "123456789012", "--ecr-repo", "app", "--amqp", "amqp://guest:guest@127.0.0.1:1");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).contains("RabbitMQ").contains("unreachable").doesNotContain("guest:guest");
  }

  @Test
  void submit_fieldsFromEnvironment_satisfyRequiredFields() {
    Map<String, String> env = Map.of("BLACKTREE_REPO", "acme/app", "BLACKTREE_BRANCH", "main",
        "BLACKTREE_VERSION", "v1", "BLACKTREE_ACCOUNT", "123456789012", "BLACKTREE_ECR_REPO", "app",
        "BLACKTREE_AMQP", "amqp://guest:guest@127.0.0.1:1");

    CliRun run = CliRun.run(env, "submit");

    assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
  }

  @Test
  void jobsList_temporalUnreachable_exits3() {
    CliRun run = CliRun.run("jobs", "list", "--temporal", "127.0.0.1:1");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).contains("Temporal at 127.0.0.1:1 is unreachable");
  }

  @Test
  void jobsList_unknownStatus_exits2() {
    CliRun run = CliRun.run("jobs", "list", "--status", "exploded", "--temporal", "127.0.0.1:1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--status must be one of");
  }

  @Test
  void replay_missingFile_exits2() {
    CliRun run = CliRun.run("replay", "/nonexistent/history.json");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("/nonexistent/history.json");
  }

  @Test
  void replay_noHistories_exits2() {
    assertThat(CliRun.run("replay").exitCode()).isEqualTo(2);
  }

  @Test
  void worker_invalidRegistryMode_exits2() {
    CliRun run = CliRun.run("worker", "--registry", "floppy");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--registry");
  }

  @Test
  void worker_portOutOfRange_exits2NamingTheField() {
    CliRun run = CliRun.run("worker", "--port", "70000", "--registry", "none", "--registry-url", "127.0.0.1:5000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("port");
  }

  @Test
  void worker_nonLoopbackListenWithoutTlsOrToken_exits2NamingBothWays() {
    CliRun run = CliRun.run("worker", "--listen", "0.0.0.0", "--port", "0", "--registry", "none",
        "--registry-url", "127.0.0.1:5000", "--workdir", System.getProperty("java.io.tmpdir") + "/bt-listen-refused");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("refusing to listen on 0.0.0.0").contains("mTLS").contains("--auth-token-file");
  }

  @Test
  void orchestrator_plaintextToRemoteWorker_exits2BeforeConnecting() {
    CliRun run = CliRun.run("orchestrator", "--workers", "10.0.0.7:50051", "--temporal", "127.0.0.1:1",
        "--amqp", "amqp://guest:guest@127.0.0.1:1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("refusing to dial worker 10.0.0.7:50051").contains("--insecure-workers");
  }
}
