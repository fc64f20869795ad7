package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.JobResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Dockerfiles as teams write them since BuildKit became Docker's default, each built by the worker on BuildKit
 * (pushed, pulled, run, its output checked) and by the worker on the engine's classic builder, which builds
 * the classic ones the same and fails the others with BUILD_FAILED naming the BuildKit feature.
 */
class WorkerDockerfileCorpusIT extends WorkerItBase {
  private static final String BUSYBOX = "COPY busybox /bin/busybox\n";
  private static WorkerFixture engine;

  /**
   * One Dockerfile of the corpus: its files, what its image prints, the feature the classic builder cannot build
   * (null when it builds it too), and the request's {@code target} stage (empty: the last).
   */
  record Case(String name, Map<String, Object> files, List<String> output, String engineFails, String target) {
    Case(String name, Map<String, Object> files, List<String> output, String engineFails) {
      this(name, files, output, engineFails, "");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  void buildkitAndEngineWorkers() throws Exception {
    WorkerFixture.requireBuildKit();
    engine = WorkerFixture.start(dir.resolve("w-engine"), daemon.baseUrl());
  }

  @AfterAll
  static void stopEngineWorker() throws Exception {
    if (engine != null) {
      engine.close();
    }
  }

  @Override
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    return defaults.builderMode(BuilderSettings.Mode.BUILDKIT);
  }

  static Stream<Case> corpus() {
    return Stream.of(
        new Case("heredoc", files("FROM scratch\n" + BUSYBOX + "COPY busybox /bin/sh\n"
            + "RUN <<EOF\necho from-heredoc-run > /run.txt\necho second-line >> /run.txt\nEOF\n"
            + "COPY <<EOF /copy.txt\nfrom-heredoc-copy\nEOF\n"
            + "CMD [\"/bin/busybox\", \"cat\", \"/run.txt\", \"/copy.txt\"]\n", Map.of()),
            List.of("from-heredoc-run", "second-line", "from-heredoc-copy"), "heredoc"),
        new Case("copy-chmod-link", files("FROM scratch\n" + BUSYBOX
            + "COPY --chmod=0750 tool.sh /tool.sh\nCOPY --link hello.txt /linked.txt\n"
            + "CMD [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox stat -c %a /tool.sh; /bin/busybox cat /linked.txt\"]\n",
            Map.of("tool.sh", "echo tool\n", "hello.txt", "linked-file\n")),
            List.of("750", "linked-file"), "COPY --chmod"),
        new Case("unused-failing-stage", files("FROM scratch AS broken\n" + BUSYBOX
            + "RUN [\"/bin/busybox\", \"false\"]\n"
            + "FROM scratch AS build\n" + BUSYBOX + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo built-stage > /out\"]\n"
            + "FROM scratch\n" + BUSYBOX + "COPY --from=build /out /out\nCMD [\"/bin/busybox\", \"cat\", \"/out\"]\n",
            Map.of()), List.of("built-stage"), "stage 'broken'"),
        new Case("arg-before-from", files("ARG BASE=scratch\nFROM ${BASE}\nARG BASE\n" + BUSYBOX
            + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo base-was-$BASE > /base\"]\n"
            + "CMD [\"/bin/busybox\", \"cat\", \"/base\"]\n", Map.of()), List.of("base-was-scratch"), null),
        new Case("dockerignore", files("FROM scratch\nCOPY . /ctx/\n"
            + "CMD [\"/ctx/busybox\", \"ls\", \"/ctx\"]\n",
            Map.of(".dockerignore", "secret.txt\n*.log\n", "secret.txt", "do not ship\n", "build.log", "x\n",
                "kept.txt", "kept\n")), List.of("kept.txt", "busybox", "Dockerfile"), null),
        new Case("target", files("FROM scratch AS base\n" + BUSYBOX
            + "FROM base AS test\nRUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo test-stage > /out\"]\n"
            + "CMD [\"/bin/busybox\", \"cat\", \"/out\"]\n"
            + "FROM base AS release\nRUN [\"/bin/busybox\", \"false\"]\n", Map.of()),
            List.of("test-stage"), null, "Test"),
        new Case("syntax-line", files("# syntax=docker/dockerfile:1\nFROM scratch\n" + BUSYBOX
            + "COPY busybox /bin/sh\nRUN <<EOF\necho built-in-frontend > /out\nEOF\n"
            + "CMD [\"/bin/busybox\", \"cat\", \"/out\"]\n", Map.of()),
            List.of("built-in-frontend"), "heredoc"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void runJob_corpusDockerfileOnBuildKit_pushedPulledAndRunsWithItsOutput(Case c) throws Exception {
    String repo = unique("corpus-" + c.name());
    repos.create(repo, "main", c.files());

    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").setTarget(c.target()).build());

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    String out = WorkerFixture.pullAndRunRemote(r.getImageUrl() + "@" + r.getDigest());
    assertThat(out.lines().map(String::strip).toList()).containsAll(c.output());
    if (c.name().equals("dockerignore")) {
      assertThat(out).doesNotContain("secret.txt", "build.log");
    }
    if (c.name().equals("syntax-line")) {
      assertThat(r.getLogs()).contains("frontend docker/dockerfile:1 (# syntax= line) not used");
    }
    worker.assertNoWorkspace();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void runJob_corpusDockerfileOnTheEngine_classicOnesRunOthersFailNamingTheFeature(Case c) throws Exception {
    String repo = unique("corpus-engine-" + c.name());
    repos.create(repo, "main", c.files());

    JobResponse r = engine.stub(300).runJob(request(repo, "main", "v1").setTarget(c.target()).build());

    if (c.engineFails() == null) {
      assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
      String out = WorkerBuildIT.pullAndRun(r.getImageUrl() + "@" + r.getDigest());
      assertThat(out.lines().map(String::strip).toList()).containsAll(c.output());
    } else {
      assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
      assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
      assertThat(r.getErrorMessage()).contains("BuildKit-only features", c.engineFails(), "--builder buildkit");
    }
    engine.assertNoWorkspace();
  }

  @Test
  void runJob_cacheMountTwice_secondBuildSeesTheFirstBuildsCache() throws Exception {
    String repo = unique("corpus-cache");
    String id = repo.replace('/', '-');
    String dockerfile = "FROM scratch\n" + BUSYBOX + "COPY hello.txt /hello.txt\n"
        + "RUN --mount=type=cache,id=" + id + ",target=/cache [\"/bin/busybox\", \"sh\", \"-c\", "
        + "\"echo run >> /cache/runs; /bin/busybox cat /cache/runs | /bin/busybox wc -l > /count\"]\n"
        + "CMD [\"/bin/busybox\", \"cat\", \"/count\"]\n";
    repos.create(repo, "main", files(dockerfile, Map.of("hello.txt", "one\n")));
    JobResponse first = worker.stub(300).runJob(request(repo, "main", "v1").build());
    assertThat(first.getStatus()).as(first.getErrorMessage() + "\n" + first.getLogs())
        .isEqualTo(JobResponse.Status.SUCCESS);
    repos.commit(repo, "main", Map.of("hello.txt", "two\n"), "second");

    JobResponse second = worker.stub(300).runJob(request(repo, "main", "v2").build());

    assertThat(second.getStatus()).as(second.getErrorMessage() + "\n" + second.getLogs())
        .isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(WorkerFixture.pullAndRunRemote(first.getImageUrl() + "@" + first.getDigest()).strip()).isEqualTo("1");
    assertThat(WorkerFixture.pullAndRunRemote(second.getImageUrl() + "@" + second.getDigest()).strip())
        .as("the RUN step ran again and found the first run's line in the cache mount").isEqualTo("2");

    JobResponse onEngine = engine.stub(300).runJob(request(repo, "main", "v3").build());
    assertThat(onEngine.getErrorKind()).as(onEngine.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(onEngine.getErrorMessage()).contains("RUN --mount=type=cache (cache mount)");
  }

  @Test
  void runJob_frontendImageThatDoesNotExist_ignoredBuiltWithTheBuiltInFrontend() throws Exception {
    String repo = unique("corpus-frontend");
    String absent = WorkerFixture.OPEN_REGISTRY + "/" + unique("absent-frontend") + ":1";
    repos.create(repo, "main", files("# syntax=" + absent + "\nFROM scratch\n" + BUSYBOX
        + "CMD [\"/bin/busybox\", \"echo\", \"not-forwarded\"]\n", Map.of()));

    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").putBuildArgs("BUILDKIT_SYNTAX", absent)
        .build());

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(r.getLogs()).contains("frontend " + absent + " (build arg BUILDKIT_SYNTAX) not used");
    assertThat(WorkerFixture.pullAndRunRemote(r.getImageUrl() + "@" + r.getDigest()).strip()).isEqualTo("not-forwarded");
  }

  @Test
  void runJob_targetStageNotInTheDockerfile_buildFailedOnBothBuildersNamingIt() throws Exception {
    String repo = unique("corpus-no-target");
    repos.create(repo, "main", files("FROM scratch AS base\n" + BUSYBOX + "CMD [\"/bin/busybox\", \"true\"]\n",
        Map.of()));

    for (WorkerFixture w : List.of(worker, engine)) {
      JobResponse r = w.stub(300).runJob(request(repo, "main", "v1").setTarget("missing-stage").build());

      assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
      assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
      assertThat(r.getErrorMessage()).contains("missing-stage");
      assertThat(r.getRetryable()).isFalse();
      w.assertNoWorkspace();
    }
  }

  private static Map<String, Object> files(String dockerfile, Map<String, Object> extra) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.putAll(extra);
    files.put("Dockerfile", dockerfile);
    return files;
  }
}
