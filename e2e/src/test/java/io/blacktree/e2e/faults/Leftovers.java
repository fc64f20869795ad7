package io.blacktree.e2e.faults;

import io.blacktree.core.Names;
import io.blacktree.e2e.support.Docker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What jobs of a {@link FaultStack} left behind: workspaces under the worker's workdir and containers on the
 * worker's engine (its {@code --docker-host}, or the shared one).
 */
final class Leftovers {
  private final Path workdir;
  private final String dockerHost;

  /**
   * @param workdir    the worker's {@code --workdir}
   * @param dockerHost the worker's {@code --docker-host}, null for the shared engine
   */
  Leftovers(Path workdir, String dockerHost) {
    this.workdir = workdir;
    this.dockerHost = dockerHost;
  }

  /** Workspaces ({@code job-*}) under the worker's workdir. */
  List<Path> workspaces() {
    try (Stream<Path> s = Files.list(workdir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("job-")).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Containers (any state) that ran the job's RUN step or carry its workflow label. */
  List<String> containersOf(Job job) {
    List<String> out = new ArrayList<>();
    engine("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}").lines()
        .filter(l -> l.contains(job.marker)).forEach(out::add);
    engine("ps", "-a", "-q", "--filter", "label=" + Names.LABEL_WORKFLOW_ID + "=" + job.workflowId).lines()
        .filter(l -> !l.isBlank()).forEach(out::add);
    return out;
  }

  /** {@code docker <args>} against the worker's engine (its {@code --docker-host}, or the shared one). */
  String engine(String... args) {
    if (dockerHost == null) {
      return Docker.cli(args);
    }
    List<String> all = new ArrayList<>(List.of("-H", dockerHost));
    all.addAll(List.of(args));
    return Docker.cli(all.toArray(String[]::new));
  }
}
