package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.docker;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.JobResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The repository's own {@code examples/} apps, each committed as it is to a test repository and built by the
 * worker on BuildKit and on the engine's classic builder, pushed, pulled and run. The apps build
 * {@code FROM 127.0.0.1:5000/blacktree/busybox-base:1}; when the registry lacks it, the worker builds it from
 * {@code examples/base} first (as {@code scripts/demo} does with the docker CLI).
 */
class WorkerExamplesIT extends WorkerItBase {
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final String BASE_REPO = "blacktree/busybox-base";
  private static WorkerFixture engine;

  /** What each example prints when run (the base: with a command, since its CMD is an interactive shell). */
  private static final Map<String, List<String>> OUTPUT = Map.of(
      "base", List.of("/bin", "BusyBox"),
      "hello", List.of("Hello from Blacktree, world!", "Built by a Blacktree build worker and run from the registry."),
      "static-site", List.of("<html", "Blacktree"));

  @BeforeAll
  void engineWorkerAndBaseImage() throws Exception {
    WorkerFixture.requireBuildKit();
    engine = WorkerFixture.start(dir.resolve("w-engine"), daemon.baseUrl());
    if (WorkerFixture.registryDigest(WorkerFixture.OPEN_REGISTRY, BASE_REPO, "1", null, null) == null) {
      String repo = "examples-base-" + System.nanoTime();
      repos.create(repo, "main", example("base"));
      JobResponse r = worker.stub(300).runJob(request(repo, "main", "1").setEcrRepo(BASE_REPO)
          .setWorkflowId("deploy:examples-base").setJobId("deploy:examples-base/run/1").build());
      assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    }
  }

  @AfterAll
  static void stopEngine() throws Exception {
    if (engine != null) {
      engine.close();
    }
  }

  @Override
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    return defaults.builderMode(BuilderSettings.Mode.BUILDKIT);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"base", "hello", "static-site"})
  void runJob_exampleOnBuildKit_pushedPulledAndRunsWithItsOutput(String name) throws Exception {
    buildRunAndCheck(worker, name);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"base", "hello", "static-site"})
  void runJob_exampleOnTheEngine_pushedPulledAndRunsWithItsOutput(String name) throws Exception {
    buildRunAndCheck(engine, name);
  }

  private static void buildRunAndCheck(WorkerFixture w, String name) throws Exception {
    String repo = unique("example-" + name);
    repos.create(repo, "main", example(name));

    JobResponse r = w.stub(300).runJob(request(repo, "main", "v1").build());

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    String ref = r.getImageUrl() + "@" + r.getDigest();
    docker("pull", "-q", ref);
    try {
      String out = name.equals("base")
          ? docker("run", "--rm", "--network", "none", ref, "sh", "-c", "echo $PATH; busybox | head -n 1")
          : docker("run", "--rm", "--network", "none", ref);
      for (String expected : OUTPUT.get(name)) {
        assertThat(out).contains(expected);
      }
    } finally {
      docker("rmi", "-f", ref);
    }
    w.assertNoWorkspace();
  }

  /** The files of {@code examples/<name>} as they are in this checkout; the base also gets the static busybox. */
  private static Map<String, Object> example(String name) throws IOException {
    Path root = EXAMPLES.resolve(name);
    assertThat(root.resolve("Dockerfile")).as("examples/" + name + " from " + Path.of("").toAbsolutePath())
        .isRegularFile();
    Map<String, Object> files = new LinkedHashMap<>();
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isRegularFile).forEach(paths::add);
    }
    for (Path p : paths) {
      files.put(root.relativize(p).toString(), p);
    }
    if (name.equals("base")) {
      files.put("busybox", Path.of("/bin/busybox"));
    }
    return files;
  }
}
