package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.testsupport.git.GitRepos;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every error kind the worker produces, produced for real: kind, retryable flag, workspace gone, worker FREE. */
class WorkerErrorKindsIT extends WorkerItBase {
  private static JobResponse runExpectingFailure(WorkerFixture w, JobRequest req, ErrorKind kind, boolean retryable)
      throws Exception {
    JobResponse r = w.stub(300).runJob(req);
    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(kind);
    assertThat(r.getRetryable()).isEqualTo(retryable);
    assertThat(r.getErrorMessage()).isNotBlank();
    w.assertNoWorkspace();
    w.awaitFree();
    return r;
  }

  @Test
  void runJob_invalidFields_invalidArgumentNamingEveryFieldAndNothingCloned() throws Exception {
    JobRequest req = request("it/x", "", "bad tag!").setAwsAccountId("1234567890").setEcrRepo("Bad_Repo")
        .putBuildArgs("API_TOKEN", "x").setTarget("-bad stage").build();
    StatusRuntimeException e = catchThrowableOfType(() -> worker.stub(30).runJob(req), StatusRuntimeException.class);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .contains("branch:", "deployment_version:", "aws_account_id: must be 12 digits", "ecr_repo:",
            "build_args.API_TOKEN:", "target: must be a Dockerfile stage name");
    worker.assertNoWorkspace();
    worker.awaitFree();
  }

  @Test
  void runJob_missingRepo_repoNotFound() throws Exception {
    runExpectingFailure(worker, request(unique("missing"), "main", "v1").build(), ErrorKind.REPO_NOT_FOUND, false);
  }

  @Test
  void runJob_missingBranch_branchNotFound() throws Exception {
    String repo = unique("nobranch");
    repos.create(repo, "main", app(repo));
    runExpectingFailure(worker, request(repo, "nope", "v1").build(), ErrorKind.BRANCH_NOT_FOUND, false);
  }

  @Test
  void runJob_missingDockerfile_dockerfileMissing() throws Exception {
    String repo = unique("nodf");
    repos.create(repo, "main", app(repo));
    runExpectingFailure(worker, request(repo, "main", "v1").setDockerfile("build/Missing.Dockerfile").build(),
        ErrorKind.DOCKERFILE_MISSING, false);
  }

  @Test
  void runJob_dockerfileThroughSymlinkOut_policyViolation() throws Exception {
    String repo = unique("symlink");
    Map<String, Object> files = new java.util.HashMap<>(app(repo));
    files.put("etc", new GitRepos.Symlink("/etc"));
    repos.create(repo, "main", files);
    JobResponse r = runExpectingFailure(worker, request(repo, "main", "v1").setDockerfile("etc/hostname").build(),
        ErrorKind.POLICY_VIOLATION, false);
    assertThat(r.getErrorMessage()).contains("dockerfile");
  }

  @Test
  void runJob_failingRunStep_buildFailed() throws Exception {
    String repo = unique("runfails");
    repos.create(repo, "main", app(repo, "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo about-to-fail; exit 3\"]\n"));
    JobResponse r = runExpectingFailure(worker, request(repo, "main", "v1").build(), ErrorKind.BUILD_FAILED, false);
    assertThat(r.getLogs()).contains("about-to-fail");
    assertThat(WorkerFixture.containersWith("about-to-fail")).isEmpty();
  }

  @Test
  void runJob_wrongRegistryPassword_registryAuthDenied() throws Exception {
    String repo = unique("authdenied");
    repos.create(repo, "main", app(repo));
    try (WorkerFixture w = WorkerFixture.start(dir.resolve("w-auth"), daemon.baseUrl(),
        new StaticLogin(WorkerFixture.AUTH_REGISTRY, WorkerFixture.REGISTRY_USER, "wrong-password-123"),
        WorkerFixture.gitToken(null), c -> c)) {
      runExpectingFailure(w, request(repo, "main", "v1").build(), ErrorKind.REGISTRY_AUTH_DENIED, false);
    }
  }

  @Test
  void runJob_versionTagHeldByAnotherWorkflow_tagExists_butOwnEarlierAttemptSucceeds() throws Exception {
    String repo = unique("tagexists");
    repos.create(repo, "main", app("one"));
    JobRequest first = request(repo, "main", "v1").build();
    JobResponse ok = worker.stub(300).runJob(first);
    assertThat(ok.getStatus()).as(ok.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);

    // the same workflow's next attempt (new job_id, same commit): its own result, nothing pushed
    JobResponse again = worker.stub(300).runJob(first.toBuilder().setJobId(first.getWorkflowId() + "/run2/2").build());
    assertThat(again.getStatus()).as(again.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(again.getDigest()).isEqualTo(ok.getDigest());
    assertThat(again.getReuse().getAlreadyPushed()).isTrue();

    // another workflow, other content, same version: refused
    repos.commit(repo, "main", Map.of("hello.txt", "two\n"), "change");
    JobRequest other = first.toBuilder().setWorkflowId("deploy:other").setJobId("deploy:other/r/1").build();
    runExpectingFailure(worker, other, ErrorKind.TAG_EXISTS, false);
    assertThat(WorkerFixture.registryDigest("127.0.0.1:5000", repo, "v1", null, null)).isEqualTo(ok.getDigest());
  }

  @Test
  void runJob_gitHostDown_gitUnavailable() throws Exception {
    try (WorkerFixture w = WorkerFixture.start(dir.resolve("w-git"), "git://127.0.0.1:" + closedPort() + "/")) {
      runExpectingFailure(w, request(unique("gitdown"), "main", "v1").build(), ErrorKind.GIT_UNAVAILABLE, true);
    }
  }

  @Test
  void runJob_registryDown_registryUnavailable() throws Exception {
    String repo = unique("regdown");
    repos.create(repo, "main", app(repo));
    try (WorkerFixture w = WorkerFixture.start(dir.resolve("w-reg"), daemon.baseUrl(),
        new NoLogin("127.0.0.1:" + closedPort()), WorkerFixture.gitToken(null), c -> c)) {
      runExpectingFailure(w, request(repo, "main", "v1").build(), ErrorKind.REGISTRY_UNAVAILABLE, true);
    }
  }

  @Test
  void runJob_dockerEngineUnreachable_dockerUnavailable() throws Exception {
    String repo = unique("dockerdown");
    repos.create(repo, "main", app(repo));
    String missing = "unix://" + dir.resolve("no-docker.sock");
    try (WorkerFixture w = WorkerFixture.start(dir.resolve("w-docker"), daemon.baseUrl(),
        new NoLogin(WorkerFixture.OPEN_REGISTRY), WorkerFixture.gitToken(null),
        c -> c.dockerHost(missing).workerId("it-no-docker"))) {
      runExpectingFailure(w, request(repo, "main", "v1").build(), ErrorKind.DOCKER_UNAVAILABLE, true);
    }
  }

  @Test
  void runJob_overTimeLimit_timedOutAndBuildStopped() throws Exception {
    String repo = unique("slow");
    String marker = "4" + (System.nanoTime() % 1000);
    repos.create(repo, "main", app(repo, "RUN [\"/bin/busybox\", \"sleep\", \"" + marker + "\"]\n"));
    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").setTimeLimitSeconds(4).build());
    assertThat(r.getErrorKind()).as(r.getLogs()).isEqualTo(ErrorKind.TIMED_OUT);
    assertThat(r.getRetryable()).isFalse();
    worker.assertNoWorkspace();
    worker.awaitFree();
    awaitNoContainer("sleep " + marker);
  }

  static void awaitNoContainer(String marker) throws Exception {
    long end = System.currentTimeMillis() + 60_000;
    while (!WorkerFixture.containersWith(marker).isEmpty()) {
      assertThat(System.currentTimeMillis()).as("build container still there: " + marker).isLessThan(end);
      Thread.sleep(250);
    }
  }

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
