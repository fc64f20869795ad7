package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The README's configuration reference lists every flag of the deployables with its environment variable. */
class ReadmeReferenceTest {

  @ParameterizedTest
  @ValueSource(strings = {"worker", "orchestrator", "bridge", "dev", "setup", "submit", "verify"})
  void readme_commandSection_listsEveryFlagWithItsVariable(String command) throws IOException {
    String section = section(readme(), "### `blacktree " + command + "`");
    CommandLine cli = Main.newCommandLine(Map.of()).getSubcommands().get(command);

    for (OptionSpec option : cli.getCommandSpec().options()) {
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      assertThat(section).as("README reference of %s", command)
          .contains("| `" + option.longestName() + "` | `" + EnvDefaultProvider.variableFor(option) + "` |");
    }
  }

  private static String readme() throws IOException {
    return Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
  }

  private static String section(String text, String heading) {
    int start = text.indexOf(heading);
    assertThat(start).as("README has a section %s", heading).isNotNegative();
    int end = text.indexOf("\n##", start + heading.length());
    return end < 0 ? text.substring(start) : text.substring(start, end);
  }
}
