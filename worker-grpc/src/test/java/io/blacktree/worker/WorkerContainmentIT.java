package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contained builds on the real engine: RUN steps see no Docker socket, no host path, no host network (the
 * registry on the host's 127.0.0.1:5000 is unreachable), and run under the configured memory limit.
 */
class WorkerContainmentIT {
  private static final long MEMORY = 256L * 1024 * 1024;
  @TempDir static Path dir;
  static GitRepos repos;
  static GitDaemonServer daemon;
  static WorkerFixture worker;

  @BeforeAll
  static void start() throws Exception {
    repos = WorkerFixture.repos(dir);
    daemon = GitDaemonServer.start(repos.baseDir());
    worker = WorkerFixture.start(dir.resolve("w"), daemon.baseUrl(), new NoLogin(WorkerFixture.OPEN_REGISTRY),
        WorkerFixture.gitToken(null), c -> c.buildNetwork("none").buildMemoryBytes(MEMORY).buildCpuShares(256));
  }

  @AfterAll
  static void stop() throws Exception {
    worker.close();
    daemon.close();
  }

  private static JobResponse run(String name, String runStep) throws Exception {
    String repo = unique(name);
    repos.create(repo, "main", app(repo, runStep));
    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").build());
    worker.awaitFree();
    return r;
  }

  @Test
  void runJob_dockerfileLooksForDockerSocket_buildFailed() throws Exception {
    JobResponse r = run("sock", "RUN [\"/bin/busybox\", \"ls\", \"/var/run/docker.sock\"]\n");
    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(r.getRetryable()).isFalse();
  }

  @Test
  void runJob_dockerfileReadsHostPath_buildFailed() throws Exception {
    // the worker's own workdir exists on the host; a RUN step must not see it
    JobResponse r = run("hostpath", "RUN [\"/bin/busybox\", \"ls\", \"" + worker.workdir.toAbsolutePath() + "\"]\n");
    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
  }

  @Test
  void runJob_dockerfileReachesHostRegistry_buildFailedNoNetwork() throws Exception {
    JobResponse r = run("net", "RUN [\"/bin/busybox\", \"wget\", \"-T\", \"5\", \"-O\", \"/tmp/x\", "
        + "\"http://127.0.0.1:5000/v2/\"]\n");
    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
  }

  @Test
  void runJob_runStep_seesMemoryLimit() throws Exception {
    JobResponse r = run("mem", "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox cat /sys/fs/cgroup/memory.max "
        + "/sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null; /bin/busybox true\"]\n");
    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(r.getLogs()).contains(Long.toString(MEMORY));
  }
}
