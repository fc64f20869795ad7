package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.appWith;
import static io.blacktree.worker.WorkerFixture.docker;
import static io.blacktree.worker.WorkerFixture.pullAndRunRemote;
import static io.blacktree.worker.WorkerFixture.registryDigest;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.CancelJobRequest;
import io.blacktree.proto.worker.v1.CancelJobResponse;
import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.proto.worker.v1.StepDuration;
import io.blacktree.testsupport.RegistryClient;
import io.blacktree.worker.provenance.AttestationStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker on BuildKit ({@code --builder buildkit}) against the buildkitd {@code scripts/services} starts:
 * buildkitd builds and pushes, the worker tags in the registry; the image is pulled and run by the engine.
 */
class WorkerBuildKitIT extends WorkerItBase {
  @BeforeAll
  static void buildkit() {
    WorkerFixture.requireBuildKit();
  }

  @Override
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    return defaults.builderMode(BuilderSettings.Mode.BUILDKIT);
  }

  @Test
  void runJob_buildKit_pushedUnderEveryTagWithLabelsAndBuildArgsAndRuns() throws Exception {
    String repo = unique("bk-build");
    String sha = repos.create(repo, "main", appWith("hello from " + repo, "FROM scratch\n"
        + "COPY busybox /bin/busybox\nCOPY hello.txt /hello.txt\n"
        + "ARG GREETING\nRUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo $GREETING > /arg.txt\"]\n"
        + "CMD [\"/bin/busybox\", \"cat\", \"/hello.txt\", \"/arg.txt\"]\n"));

    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1.0.0").addTags("stable")
        .putBuildArgs("GREETING", "build-arg-" + repo).build());

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(r.getImageUrl()).isEqualTo("127.0.0.1:5000/" + repo + ":v1.0.0");
    assertThat(r.getTagsList()).containsExactly(r.getImageUrl(), "127.0.0.1:5000/" + repo + ":stable",
        "127.0.0.1:5000/" + repo + ":" + sha.substring(0, 12));
    for (String tag : List.of("v1.0.0", "stable", sha.substring(0, 12))) {
      assertThat(registryDigest("127.0.0.1:5000", repo, tag, null, null)).as(tag).isEqualTo(r.getDigest());
    }
    assertThat(r.getStepDurationsList()).extracting(StepDuration::getStep)
        .containsSubsequence(Step.CLONING, Step.LOGGING_IN, Step.BUILDING, Step.PUSHING, Step.CLEANING_UP);
    assertThat(r.getLogs()).contains("building with BuildKit", "exporting to image", "built by buildkit");
    String ref = r.getImageUrl() + "@" + r.getDigest();
    assertThat(pullAndRunRemote(ref)).contains("hello from " + repo, "build-arg-" + repo);
    docker("pull", "-q", ref);
    try {
      assertThat(docker("image", "inspect", "-f", "{{json .Config.Labels}}", ref))
          .contains("\"org.opencontainers.image.revision\":\"" + sha + "\"", "blacktree");
    } finally {
      docker("rmi", "-f", ref);
    }
    worker.assertNoWorkspace();
    worker.awaitFree();
  }

  @Test
  void runJob_versionTagHeldByAnotherImage_tagExistsAndSameJobAgainAlreadyPushed() throws Exception {
    String repo = unique("bk-tag");
    repos.create(repo, "main", app("first " + repo));
    JobRequest first = request(repo, "main", "v1").build();
    JobResponse r1 = worker.stub(300).runJob(first);
    assertThat(r1.getStatus()).as(r1.getErrorMessage() + "\n" + r1.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);

    JobResponse again = worker.stub(300).runJob(first.toBuilder().setJobId(first.getJobId() + "-retry").build());
    assertThat(again.getStatus()).as(again.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(again.getReuse().getAlreadyPushed()).isTrue();
    assertThat(again.getDigest()).isEqualTo(r1.getDigest());

    repos.commit(repo, "main", Map.of("hello.txt", "second\n"), "second");
    JobResponse other = worker.stub(300).runJob(request(repo, "main", "v1").build());
    assertThat(other.getStatus()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(other.getErrorKind()).as(other.getErrorMessage()).isEqualTo(ErrorKind.TAG_EXISTS);
    assertThat(registryDigest("127.0.0.1:5000", repo, "v1", null, null)).isEqualTo(r1.getDigest());
    // the refused image's attestation was prepared beside the check, never stored: the only one is the first image's
    assertThat(RegistryClient.anonymous("127.0.0.1:5000").tags(repo).stream().filter(t -> t.endsWith(".att")))
        .containsExactly(AttestationStore.attestationTag(r1.getDigest()));
  }

  @Test
  void runJob_failingRun_buildFailedWithBuildKitsReason() throws Exception {
    String repo = unique("bk-fail");
    repos.create(repo, "main", app(repo, "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"exit 3\"]\n"));

    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").build());

    assertThat(r.getStatus()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(r.getErrorMessage()).contains("exit code: 3");
    assertThat(r.getRetryable()).isFalse();
    worker.assertNoWorkspace();
  }

  @Test
  void runJob_runStep_hasNoNetworkButLoopback() throws Exception {
    String repo = unique("bk-net");
    repos.create(repo, "main", appWith(repo, "FROM scratch\nCOPY busybox /bin/busybox\n"
        + "RUN [\"/bin/busybox\", \"sh\", \"-c\", "
        + "\"/bin/busybox cat /proc/net/dev | /bin/busybox tail -n +3 | /bin/busybox cut -d: -f1 > /ifaces\"]\n"
        + "CMD [\"/bin/busybox\", \"cat\", \"/ifaces\"]\n"));

    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").build());

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(pullAndRunRemote(r.getImageUrl() + "@" + r.getDigest()).lines().map(String::strip).toList())
        .containsExactly("lo");
  }

  @Test
  void runJob_authRegistry_pushedWithCredentialsThatNeverReachTheLog() throws Exception {
    String repo = unique("bk-auth");
    repos.create(repo, "main", app("auth " + repo));
    try (WorkerFixture w = WorkerFixture.start(dir.resolve("w-auth"), daemon.baseUrl(),
        new StaticLogin(WorkerFixture.AUTH_REGISTRY, WorkerFixture.REGISTRY_USER, WorkerFixture.REGISTRY_PASSWORD),
        WorkerFixture.gitToken(null), this::configure)) {
      JobResponse r = w.stub(300).runJob(request(repo, "main", "v1").build());

      assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
      assertThat(registryDigest(WorkerFixture.AUTH_REGISTRY, repo, "v1", WorkerFixture.REGISTRY_USER,
          WorkerFixture.REGISTRY_PASSWORD)).isEqualTo(r.getDigest());
      assertThat(r.getLogs()).doesNotContain(WorkerFixture.REGISTRY_PASSWORD)
          .doesNotContain(java.util.Base64.getEncoder().encodeToString(
              (WorkerFixture.REGISTRY_USER + ":" + WorkerFixture.REGISTRY_PASSWORD).getBytes()));
      w.assertNoWorkspace();
    }
  }

  @Test
  void cancelJob_midRun_cancelledAndTheRunProcessGoneWithinFiveSeconds() throws Exception {
    String repo = unique("bk-cancel");
    String marker = "7" + (System.nanoTime() % 1000);
    repos.create(repo, "main", app(repo, "RUN [\"/bin/busybox\", \"sleep\", \"" + marker + "\"]\n"));
    JobRequest req = request(repo, "main", "v1").build();
    CompletableFuture<JobResponse> running = CompletableFuture.supplyAsync(() -> worker.stub(300).runJob(req));
    long end = System.currentTimeMillis() + 120_000;
    while (processesWith("sleep " + marker).isEmpty()) {
      assertThat(System.currentTimeMillis()).as("RUN step started").isLessThan(end);
      Thread.sleep(100);
    }

    long cancelled = System.nanoTime();
    CancelJobResponse c = worker.stub(120).cancelJob(CancelJobRequest.newBuilder().setJobId(req.getJobId()).build());
    while (!processesWith("sleep " + marker).isEmpty()) {
      assertThat((System.nanoTime() - cancelled) / 1_000_000).as("RUN process still alive after cancel")
          .isLessThan(5_000);
      Thread.sleep(50);
    }

    assertThat(c.getCancelled()).isTrue();
    assertThat(c.getFinal().getStatus()).isEqualTo(JobResponse.Status.CANCELLED);
    assertThat(running.get(60, TimeUnit.SECONDS).getStatus()).isEqualTo(JobResponse.Status.CANCELLED);
    worker.assertNoWorkspace();
  }

  /** Live processes on this host whose command line contains {@code text} (buildkitd runs RUN steps here). */
  private static List<Long> processesWith(String text) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(text)).orElse(false))
        .map(ProcessHandle::pid).toList();
  }
}
