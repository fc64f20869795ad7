package io.blacktree.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** compose.yaml is a valid Compose file describing the whole production-like stack (validated, not run). */
class ComposeFileIT {
  private static final Path COMPOSE = Path.of("compose.yaml").toAbsolutePath();

  private static String run(String... args) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("exit of %s; output:%n%s", String.join(" ", args), out).isZero();
    return out;
  }

  private static boolean composeInstalled() {
    return Files.isExecutable(Path.of("/usr/bin/docker-compose"))
        || Files.isExecutable(Path.of("/usr/local/bin/docker-compose"));
  }

  @Test
  void config_composeFile_validatesWithEveryComponent() throws Exception {
    Services.require(composeInstalled(), "docker-compose");

    run("docker-compose", "-f", COMPOSE.toString(), "config", "-q");
    List<String> services = run("docker-compose", "-f", COMPOSE.toString(), "config", "--services")
        .lines().map(String::trim).filter(l -> !l.isEmpty()).toList();

    assertThat(services).contains(
        "postgresql", "temporal", "temporal-ui", "rabbitmq", "orchestrator", "bridge", "worker");
  }

  @Test
  void config_worker_mountsHostDockerSocketAndTemporalUsesPostgres() throws Exception {
    Services.require(composeInstalled(), "docker-compose");

    String resolved = run("docker-compose", "-f", COMPOSE.toString(), "config");

    assertThat(resolved).contains("/var/run/docker.sock:/var/run/docker.sock");
    assertThat(resolved).contains("DB: postgres12").contains("POSTGRES_SEEDS: postgresql");
    assertThat(resolved).contains("TEMPORAL_ADDRESS: temporal:7233");
  }
}
