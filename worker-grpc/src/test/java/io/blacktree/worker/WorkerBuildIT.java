package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.docker;
import static io.blacktree.worker.WorkerFixture.registryDigest;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.proto.worker.v1.StepDuration;
import io.blacktree.testsupport.ecr.EcrStubServer;
import io.blacktree.testsupport.git.GitHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The happy paths on the real engine and registries: git://, smart HTTP with a token and an exact commit, ECR. */
class WorkerBuildIT extends WorkerItBase {
  @Test
  void runJob_gitDaemonRepo_imageUnderEveryTagRunsAndDigestMatches() throws Exception {
    String repo = unique("build");
    String sha = repos.create(repo, "main", app("hello from " + repo));

    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1.0.0").addTags("stable").build());

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(r.getCommitSha()).isEqualTo(sha);
    assertThat(r.getImageUrl()).isEqualTo("127.0.0.1:5000/" + repo + ":v1.0.0");
    assertThat(r.getTagsList()).containsExactly(r.getImageUrl(), "127.0.0.1:5000/" + repo + ":stable",
        "127.0.0.1:5000/" + repo + ":" + sha.substring(0, 12));
    for (String tag : List.of("v1.0.0", "stable", sha.substring(0, 12))) {
      assertThat(registryDigest("127.0.0.1:5000", repo, tag, null, null)).as(tag).isEqualTo(r.getDigest());
    }
    assertThat(r.getStepDurationsList()).extracting(StepDuration::getStep)
        .contains(Step.CLONING, Step.BUILDING, Step.LOGGING_IN, Step.PUSHING, Step.CLEANING_UP);
    assertThat(r.getLogs()).contains("cloning", "pushed");
    assertThat(r.getRetryable()).isFalse();
    assertThat(pullAndRun(r.getImageUrl() + "@" + r.getDigest())).contains("hello from " + repo);
    worker.assertNoWorkspace();
    worker.awaitFree();
  }

  @Test
  void runJob_trailingMetadataInstructions_configEqualsDockerBuildOfTheSameFiles() throws Exception {
    String repo = unique("meta");
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("hello.txt", "metadata " + repo + "\n");
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello.txt /hello.txt\n"
        + "ENV GREETING=\"hello there\" MODE=prod\nEXPOSE 8080 53/udp\nLABEL org.example.team=platform\n"
        + "USER 1000:1000\nENTRYPOINT [\"/bin/busybox\"]\nCMD [\"cat\", \"/hello.txt\"]\n");
    repos.create(repo, "main", files);
    Path local = Files.createDirectories(dir.resolve("meta-cli"));
    Files.copy(Path.of("/bin/busybox"), local.resolve("busybox"));
    Files.writeString(local.resolve("hello.txt"), (String) files.get("hello.txt"));
    Files.writeString(local.resolve("Dockerfile"), (String) files.get("Dockerfile"));
    String cliTag = "blacktree-it/" + repo.replace("it/", "") + ":cli";
    docker("build", "-q", "-t", cliTag, local.toString());

    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").build());

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(r.getLogs()).contains("applying 6 trailing metadata instruction(s) to the image config");
    try {
      for (String field : List.of("Cmd", "Entrypoint", "Env", "ExposedPorts", "User", "WorkingDir")) {
        assertThat(inspect(r.getImageUrl(), ".Config." + field)).as(field)
            .isEqualTo(inspect(cliTag, ".Config." + field));
      }
      assertThat(inspect(r.getImageUrl(), ".Config.Labels")).contains("\"org.example.team\":\"platform\"",
          "org.opencontainers.image.revision");
      assertThat(layers(r.getImageUrl())).as("metadata adds no layer").isEqualTo(layers(cliTag)).isEqualTo("2");
      assertThat(pullAndRun(r.getImageUrl() + "@" + r.getDigest())).contains("metadata " + repo);
    } finally {
      docker("rmi", "-f", cliTag);
    }
    worker.assertNoWorkspace();
  }

  @Test
  void runJob_dockerfileOutsideTheContext_contextCopyHoldsOnlyTheContext() throws Exception {
    String repo = unique("outside");
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("app/busybox", Path.of("/bin/busybox"));
    files.put("app/hello.txt", "outside " + repo + "\n");
    files.put("docker/Dockerfile", "FROM scratch\nCOPY . /ctx/\nCMD [\"/ctx/busybox\", \"ls\", \"-a\", \"/ctx\"]\n");
    repos.create(repo, "main", files);

    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").setContext("app")
        .setDockerfile("docker/Dockerfile").build());

    assertThat(copiedContext(r)).containsExactlyInAnyOrder(".", "..", "busybox", "hello.txt");
  }

  @Test
  void runJob_copyOfTheWholeContextWithoutDockerignore_metadataPeeledAndNothingAddedToTheImage() throws Exception {
    String repo = unique("copyall");
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("hello.txt", "copy all " + repo + "\n");
    files.put("Dockerfile", "FROM scratch\nCOPY . /ctx/\nCMD [\"/ctx/busybox\", \"ls\", \"-a\", \"/ctx\"]\n");
    repos.create(repo, "main", files);

    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").build());

    assertThat(copiedContext(r)).containsExactlyInAnyOrder(".", "..", "busybox", "hello.txt", "Dockerfile");
    assertThat(r.getLogs()).contains("applying 1 trailing metadata instruction(s)");
  }

  /** A successful job's image run from the registry: the entries of {@code /ctx} (its CMD lists them). */
  private static List<String> copiedContext(JobResponse r) throws Exception {
    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    worker.assertNoWorkspace();
    return pullAndRun(r.getImageUrl() + "@" + r.getDigest()).lines().map(String::trim).toList();
  }

  private static String layers(String image) throws Exception {
    return docker("image", "inspect", "-f", "{{len .RootFS.Layers}}", image).trim();
  }

  private static String inspect(String image, String expression) throws Exception {
    return docker("image", "inspect", "-f", "{{json " + expression + "}}", image).trim();
  }

  @Test
  void runJob_smartHttpWithTokenAndExactCommit_buildsThatCommit() throws Exception {
    String token = "tok-" + java.util.UUID.randomUUID();
    String repo = unique("http");
    String first = repos.create(repo, "main", app("first commit"));
    repos.commit(repo, "main", Map.of("hello.txt", "second commit\n"), "second");
    try (GitHttpServer http = GitHttpServer.start(repos.baseDir(), token);
         WorkerFixture w = WorkerFixture.start(dir.resolve("w-http"), http.baseUrl(),
             new NoLogin(WorkerFixture.OPEN_REGISTRY), WorkerFixture.gitToken(token), c -> c)) {
      JobResponse r = w.stub(300).runJob(request(repo, "main", "v2").setCommit(first).build());

      assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
      assertThat(r.getCommitSha()).isEqualTo(first);
      assertThat(registryDigest("127.0.0.1:5000", repo, "v2", null, null)).isEqualTo(r.getDigest());
      assertThat(pullAndRun(r.getImageUrl() + "@" + r.getDigest())).contains("first commit");
      assertThat(http.unauthorizedCount()).as("the server asked for credentials").isPositive();
      w.assertNoWorkspace();
    }
  }

  @Test
  void runJob_ecrMode_tokenFromEcrApiPushesToAuthRegistry() throws Exception {
    String repo = unique("ecr");
    repos.create(repo, "main", app("via ecr"));
    System.setProperty("aws.accessKeyId", "AKIDTESTONLY");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
    try (EcrStubServer ecr = EcrStubServer.start(WorkerFixture.REGISTRY_USER, WorkerFixture.REGISTRY_PASSWORD,
        URI.create("http://" + WorkerFixture.AUTH_REGISTRY))) {
      WorkerConfig.Builder config = ecrConfig(dir.resolve("w-ecr2"), ecr.endpoint());
      try (WorkerFixture w = WorkerFixture.start(dir.resolve("w-ecr2"), daemon.baseUrl(),
          WorkerApp.registryLogin(config.build()), WorkerFixture.gitToken(null), c -> config)) {
        JobResponse r = w.stub(300).runJob(request(repo, "main", "v3").build());

        assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
        assertThat(r.getImageUrl()).isEqualTo(WorkerFixture.AUTH_REGISTRY + "/" + repo + ":v3");
        assertThat(ecr.calls()).contains("GetAuthorizationToken", "DescribeRepositories", "CreateRepository");
        assertThat(ecr.hasRepository(repo)).isTrue();
        assertThat(registryDigest(WorkerFixture.AUTH_REGISTRY, repo, "v3", WorkerFixture.REGISTRY_USER,
            WorkerFixture.REGISTRY_PASSWORD)).isEqualTo(r.getDigest());
        assertThat(r.getLogs()).doesNotContain(WorkerFixture.REGISTRY_PASSWORD);
        w.assertNoWorkspace();
      }
    }
  }

  static WorkerConfig.Builder ecrConfig(Path d, URI endpoint) {
    return WorkerFixture.config(d, daemon.baseUrl()).registryMode(WorkerConfig.RegistryMode.ECR).registryUrl(null)
        .ecrEndpoint(endpoint).ecrCreateRepositories(true).workerId("it-ecr-worker");
  }

  /** Removes the local copy, pulls the reference from the registry and runs it without network. */
  static String pullAndRun(String ref) throws Exception {
    String id = docker("image", "inspect", "-f", "{{.Id}}", ref).trim();
    docker("rmi", "-f", id);
    docker("pull", "-q", ref);
    try {
      return docker("run", "--rm", "--network", "none", ref);
    } finally {
      docker("rmi", "-f", ref);
    }
  }
}
