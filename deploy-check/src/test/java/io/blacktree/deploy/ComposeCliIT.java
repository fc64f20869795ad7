package io.blacktree.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.testsupport.ServiceRequirement;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code temporal-dev/compose.yaml}, resolved by {@code docker-compose config}, runs only commands, flags and
 * {@code BLACKTREE_*} variables that {@code blacktree --help} has (the compose file's own shape is checked by the
 * temporal-dev module's ComposeFileIT, which cannot see the CLI).
 */
class ComposeCliIT {
  private static final Path COMPOSE = Path.of("..", "temporal-dev", "compose.yaml").toAbsolutePath().normalize();

  @Test
  void config_blacktreeServices_useOnlyWhatTheCliHas() throws Exception {
    ServiceRequirement.requireThat(Files.isExecutable(Path.of("/usr/bin/docker-compose"))
        || Files.isExecutable(Path.of("/usr/local/bin/docker-compose")), "docker-compose");
    ContainerCheck check = new ContainerCheck(CliSurface.fromHelp(), java.util.Set.of());

    List<String> commands = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
      Map<String, Object> s = service.getValue();
      if (!BlacktreeContainer.isBlacktreeImage(String.valueOf(s.get("image")))) {
        continue;
      }
      Map<String, String> env = environment(s.get("environment"));
      @SuppressWarnings("unchecked")
      List<String> args = (List<String>) s.get("command");
      Container container = new ContainerBuilder().withName(service.getKey()).withImage((String) s.get("image"))
          .withArgs(args).build();
      BlacktreeContainer c = BlacktreeContainer.read("compose service " + service.getKey(), container, env);
      commands.add(c.command());
      problems.addAll(check.cliProblems(c));
    }

    assertThat(problems).isEmpty();
    assertThat(commands).containsExactlyInAnyOrder("setup", "bridge", "worker", "orchestrator");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() throws Exception {
    ProcessBuilder builder = new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config");
    builder.environment().putAll(Map.of("TEMPORAL_DB_PASSWORD", "x", "RABBITMQ_PASSWORD", "x",
        "BLACKTREE_WORKER_TOKEN", "x"));
    Process p = builder.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("docker-compose config:%n%s", out).isZero();
    Map<String, Object> config = YAMLMapper.builder().build().readValue(out, Map.class);
    return (Map<String, Map<String, Object>>) config.get("services");
  }

  /** Compose prints environment as a map; a variable without a value (passed through) is null. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(Object environment) {
    Map<String, String> env = new LinkedHashMap<>();
    if (environment instanceof Map<?, ?> map) {
      ((Map<String, Object>) map).forEach((k, v) -> env.put(k, v == null ? "" : String.valueOf(v)));
    }
    return env;
  }
}
