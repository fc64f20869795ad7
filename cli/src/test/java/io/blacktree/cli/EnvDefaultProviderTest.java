package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class EnvDefaultProviderTest {

  @Command(name = "probe", mixinStandardHelpOptions = true)
  static final class Probe implements Runnable {
    @Mixin TemporalOptions temporal;

    @Option(names = "--docker-host", defaultValue = "unix:///var/run/docker.sock")
    String dockerHost;

    @Option(names = "--follow")
    boolean follow;

    @Override
    public void run() {}
  }

  private static Probe parse(Map<String, String> env, String... args) {
    Probe probe = new Probe();
    CommandLine cli = new CommandLine(probe);
    cli.setDefaultValueProvider(new EnvDefaultProvider(env));
    cli.parseArgs(args);
    return probe;
  }

  @Test
  void defaultValue_variableSet_usedWhenFlagAbsent() {
    Probe probe = parse(Map.of("BLACKTREE_TEMPORAL", "temporal.prod:7233", "BLACKTREE_DOCKER_HOST", "tcp://d:2375",
        "BLACKTREE_FOLLOW", "true"));

    assertThat(probe.temporal.target()).isEqualTo("temporal.prod:7233");
    assertThat(probe.dockerHost).isEqualTo("tcp://d:2375");
    assertThat(probe.follow).isTrue();
  }

  @Test
  void defaultValue_flagGiven_flagWins() {
    Probe probe = parse(Map.of("BLACKTREE_TEMPORAL", "temporal.prod:7233"), "--temporal", "10.0.0.1:7233");

    assertThat(probe.temporal.target()).isEqualTo("10.0.0.1:7233");
  }

  @Test
  void defaultValue_noVariable_builtInDefault() {
    Probe probe = parse(Map.of());

    assertThat(probe.temporal.target()).isEqualTo("127.0.0.1:7233");
    assertThat(probe.temporal.namespace()).isEqualTo("default");
    assertThat(probe.dockerHost).isEqualTo("unix:///var/run/docker.sock");
  }

  @Test
  void variableFor_dashedFlag_upperSnakeCase() {
    CommandLine cli = new CommandLine(new Probe());

    assertThat(EnvDefaultProvider.variableFor(cli.getCommandSpec().findOption("--docker-host")))
        .isEqualTo("BLACKTREE_DOCKER_HOST");
    assertThat(EnvDefaultProvider.variableFor(cli.getCommandSpec().findOption("--temporal-api-key")))
        .isEqualTo("BLACKTREE_TEMPORAL_API_KEY");
  }
}
