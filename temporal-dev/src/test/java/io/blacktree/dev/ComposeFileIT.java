package io.blacktree.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.testrule.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * compose.yaml is a valid Compose file describing the production-shaped stack (validated, not run): Temporal server
 * on PostgreSQL with the schema applied by temporal-sql-tool (no auto-setup image), RabbitMQ, and a build host whose
 * orchestrator shares its worker's network; no credential is written in the file.
 */
class ComposeFileIT {
  private static final Path COMPOSE = Path.of("compose.yaml").toAbsolutePath();
  /** The credentials the file asks of its caller's environment. */
  private static final Map<String, String> CREDENTIALS = Map.of(
      "TEMPORAL_DB_PASSWORD", "db-canary", "RABBITMQ_PASSWORD", "amqp-canary", "BLACKTREE_WORKER_TOKEN", "token-canary");

  private record Run(int exit, String out) {}

  private static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true);
    CREDENTIALS.keySet().forEach(builder.environment()::remove);
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), out);
  }

  private static String config(String... extra) throws IOException, InterruptedException {
    String[] args = new String[4 + extra.length];
    args[0] = "docker-compose";
    args[1] = "-f";
    args[2] = COMPOSE.toString();
    args[3] = "config";
    System.arraycopy(extra, 0, args, 4, extra.length);
    Run run = run(CREDENTIALS, args);
    assertThat(run.exit()).as("docker-compose config; output:%n%s", run.out()).isZero();
    return run.out();
  }

  private static boolean composeInstalled() {
    return Files.isExecutable(Path.of("/usr/bin/docker-compose"))
        || Files.isExecutable(Path.of("/usr/local/bin/docker-compose"));
  }

  @Test
  void config_composeFile_validatesWithEveryComponent() throws Exception {
    Prerequisites.require(composeInstalled(), "docker-compose");

    config("-q");
    List<String> services = config("--services").lines().map(String::trim).filter(l -> !l.isEmpty()).toList();

    assertThat(services).containsExactlyInAnyOrder("postgresql", "temporal-schema", "temporal",
        "temporal-ui", "rabbitmq", "setup", "bridge", "worker", "orchestrator");
  }

  @Test
  void config_temporal_serverImageOnPostgresWithSchemaFromTheSqlTool() throws Exception {
    Prerequisites.require(composeInstalled(), "docker-compose");

    String resolved = config();

    assertThat(resolved).doesNotContain("auto-setup").contains("image: temporalio/server:");
    assertThat(resolved).contains("DB: postgres12").contains("POSTGRES_SEEDS: postgresql")
        .contains("NUM_HISTORY_SHARDS: '16'").contains("TEMPORAL_ADDRESS: temporal:7233");
    assertThat(resolved).contains("temporal-sql-tool --plugin postgres12")
        .contains("setup-schema -v 0.0").contains("/temporal/versioned").contains("/visibility/versioned")
        .contains("for db in temporal").contains("temporal_visibility");
    assertThat(resolved).contains("condition: service_completed_successfully");
  }

  @Test
  void config_buildHost_orchestratorOwnsTheWorkerBesideItOverLoopback() throws Exception {
    Prerequisites.require(composeInstalled(), "docker-compose");

    String resolved = config();

    assertThat(resolved).contains("network_mode: service:worker").contains("--workers=127.0.0.1:50051")
        .contains("--listen=127.0.0.1");
    assertThat(resolved).contains("/var/run/docker.sock:/var/run/docker.sock");
    assertThat(resolved).contains("stop_grace_period: 90s");
  }

  @Test
  void config_credentialsNotInTheFile_refusedWithoutThemNamingTheVariable() throws Exception {
    Prerequisites.require(composeInstalled(), "docker-compose");

    Run without = run(Map.of(), "docker-compose", "-f", COMPOSE.toString(), "config", "-q");

    assertThat(without.exit()).isNotZero();
    assertThat(without.out()).contains("set TEMPORAL_DB_PASSWORD");
    String file = Files.readString(COMPOSE, StandardCharsets.UTF_8);
    assertThat(file).doesNotContain("canary").doesNotContainPattern("(?i)(PASSWORD|PASS|PWD|TOKEN): [^$\\s]");
  }
}
