package io.blacktree.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.e2e.replay.TimerFirstDeployJob;
import io.blacktree.e2e.support.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code blacktree replay} on the histories recorded from real runs on the dev server
 * ({@code workflows/src/test/resources/histories/}): they replay against the shipped workflow, and a changed
 * workflow class is refused with a non-zero exit that names the event where it diverges. Needs no service.
 */
class ReplayE2EIT {
  private static final Path HISTORIES = Path.of("..", "workflows", "src", "test", "resources", "histories");
  private final Cli cli = new Cli(Map.of());

  @Test
  void replay_recordedHistories_allReplayExitZero() throws IOException {
    List<String> files = histories();

    Cli.Result result = cli.run(args(List.of("replay"), files));

    assertThat(result.exitCode()).as(result.toString()).isZero();
    for (String file : files) {
      assertThat(result.out()).contains("ok      " + file);
    }
    assertThat(result.out()).contains(files.size() + " replayed, 0 failed");
  }

  @Test
  void replay_changedWorkflowClass_exitOneNamingTheEvent() throws IOException {
    String success = HISTORIES.resolve("success.json").toString();

    Cli.Result result = cli.run("replay", "--workflow-class", TimerFirstDeployJob.class.getName(), success);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.err()).as(result.toString())
        .containsPattern("FAILED  .*success\\.json: non-deterministic at event \\d+");
    assertThat(result.out()).contains("0 replayed, 1 failed");
  }

  private static List<String> histories() throws IOException {
    try (Stream<Path> files = Files.list(HISTORIES)) {
      List<String> names = files.filter(p -> p.toString().endsWith(".json")).map(Path::toString).sorted().toList();
      assertThat(names).as("recorded histories in " + HISTORIES).hasSizeGreaterThanOrEqualTo(4);
      return names;
    }
  }

  private static List<String> args(List<String> head, List<String> tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(tail);
    return all;
  }
}
