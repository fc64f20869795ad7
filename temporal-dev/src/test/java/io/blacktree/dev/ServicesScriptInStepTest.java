package io.blacktree.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.Names;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/services} starts the dev server before any Java is built, so it writes the server's flags and the
 * search attributes in bash; these tests hold its arrays to the Java definitions the tests and {@code blacktree dev}
 * use, so the two cannot drift apart.
 */
class ServicesScriptInStepTest {
  private static final Path SCRIPT = Path.of("..", "scripts", "services").toAbsolutePath().normalize();

  @Test
  void temporalTuning_scriptAndDevServer_sameFlags() throws Exception {
    assertThat(array("TEMPORAL_TUNING")).isEqualTo(DevServer.TUNING);
  }

  @Test
  void searchAttributes_scriptAndNames_sameAttributes() throws Exception {
    assertThat(array("SEARCH_ATTRIBUTES")).isEqualTo(Names.SEARCH_ATTRIBUTES);
  }

  /** The words of the bash array {@code NAME=(...)} in the script (no quoting is used in those arrays). */
  private static List<String> array(String name) throws Exception {
    String script = Files.readString(SCRIPT);
    Matcher m = Pattern.compile("(?m)^" + name + "=\\(([^)]*)\\)").matcher(script);
    assertThat(m.find()).as(name + " in " + SCRIPT).isTrue();
    return Arrays.stream(m.group(1).trim().split("\\s+")).toList();
  }
}
