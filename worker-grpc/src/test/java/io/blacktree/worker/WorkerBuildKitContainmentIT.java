package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.appWith;
import static io.blacktree.worker.WorkerFixture.pullAndRunRemote;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.JobResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SECURITY.md's contained-build controls on the BuildKit builder: RUN steps run under the worker's memory, CPU
 * shares and CPU set limits, see no host path (a bind mount's source is the build context, never the host),
 * have no network (not even when the Dockerfile asks for the default one), and cannot ask buildkitd for the host
 * network or an unconfined sandbox (entitlements buildkitd is never told to grant).
 */
class WorkerBuildKitContainmentIT extends WorkerItBase {
  private static final long MEMORY = 256L * 1024 * 1024;
  private static final int CPU_SHARES = 300;

  @BeforeAll
  static void buildkit() {
    WorkerFixture.requireBuildKit();
  }

  @Override
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    return defaults.builderMode(BuilderSettings.Mode.BUILDKIT).buildNetwork("none").buildMemoryBytes(MEMORY)
        .buildCpuShares(CPU_SHARES).buildCpusetCpus("0");
  }

  private static JobResponse run(String name, Map<String, Object> files) throws Exception {
    String repo = unique(name);
    repos.create(repo, "main", files);
    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").build());
    worker.assertNoWorkspace();
    return r;
  }

  private static String runStepOutput(JobResponse r) throws Exception {
    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    return pullAndRunRemote(r.getImageUrl() + "@" + r.getDigest());
  }

  private static Map<String, Object> recording(String name, String shell) {
    return appWith(name, "FROM scratch\nCOPY busybox /bin/busybox\n"
        + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"(" + shell + ") > /out.txt 2>&1; /bin/busybox true\"]\n"
        + "CMD [\"/bin/busybox\", \"cat\", \"/out.txt\"]\n");
  }

  @Test
  void runJob_runStep_underTheWorkersMemoryCpuSharesAndCpuset() throws Exception {
    String out = runStepOutput(run("bk-limits", recording("limits",
        "/bin/busybox cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes "
            + "/sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus")));

    assertThat(out.lines().map(String::strip).toList()).as(out)
        .contains(Long.toString(MEMORY), Integer.toString(CPU_SHARES), "0");
  }

  @Test
  void runJob_bindMountOfSlash_isTheContextNotTheHost() throws Exception {
    Map<String, Object> files = recording("bind", "/bin/busybox ls /ctx; /bin/busybox ls "
        + worker.workdir.toAbsolutePath() + "; /bin/busybox ls /var/run/docker.sock");
    files.put("Dockerfile", ((String) files.get("Dockerfile")).replace("RUN [",
        "RUN --mount=type=bind,source=/,target=/ctx ["));
    files.put("marker-in-context.txt", "x\n");

    String out = runStepOutput(run("bk-bind", files));

    assertThat(out.lines().map(String::strip).toList()).as(out)
        .contains("marker-in-context.txt", "Dockerfile").doesNotContain("usr", "etc", "proc");
    assertThat(out).contains("No such file or directory");
  }

  @Test
  void runJob_runAsksForTheDefaultNetwork_stillOnlyLoopback() throws Exception {
    Map<String, Object> files = recording("net", "/bin/busybox cat /proc/net/dev | /bin/busybox tail -n +3 "
        + "| /bin/busybox cut -d: -f1; /bin/busybox wget -T 5 -O /tmp/x http://127.0.0.1:5000/v2/");
    files.put("Dockerfile", ((String) files.get("Dockerfile")).replace("RUN [", "RUN --network=default ["));

    String out = runStepOutput(run("bk-net", files));

    assertThat(out.lines().map(String::strip).toList()).as(out).contains("lo").doesNotContain("eth0");
    assertThat(out).doesNotContain("saving to");
  }

  @Test
  void runJob_hostNetworkOrInsecureSandbox_buildFailedNotAllowed() throws Exception {
    for (String flag : new String[] {"--network=host", "--security=insecure"}) {
      JobResponse r = run("bk-entitlement", app("x", "RUN " + flag + " [\"/bin/busybox\", \"true\"]\n"));

      assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
      assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
      assertThat(r.getErrorMessage()).contains("is not allowed");
      assertThat(r.getRetryable()).isFalse();
    }
  }
}
