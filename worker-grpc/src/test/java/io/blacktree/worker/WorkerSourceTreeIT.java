package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.pullAndRunRemote;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.testsupport.PrivateBuildKit;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source tree a worker keeps per repository, through real BuildKit jobs: the next commit's job writes only the
 * changed file, BuildKit's context transfer carries only that file (also when another repository was built in
 * between: each kept tree has its own copy in buildkitd, {@link ContextSharing}), and the image holds the new
 * content. On a buildkitd of the test's own, so builds of other tests on the machine stay out of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerSourceTreeIT {
  private static final Pattern TRANSFER = Pattern.compile("transferring context: ([0-9.]+)(B|kB|MB)");
  @TempDir static Path dir;
  private GitRepos repos;
  private GitDaemonServer daemon;
  private PrivateBuildKit buildkit;
  private WorkerFixture worker;

  @BeforeAll
  void start() throws Exception {
    repos = WorkerFixture.repos(dir);
    daemon = GitDaemonServer.start(repos.baseDir());
    buildkit = PrivateBuildKit.start(dir.resolve("buildkit"));
    worker = WorkerFixture.start(dir.resolve("w"), daemon.baseUrl(), new NoLogin(WorkerFixture.OPEN_REGISTRY),
        WorkerFixture.gitToken(null), c -> c.builderMode(BuilderSettings.Mode.BUILDKIT)
            .buildkitAddr(buildkit.address()).buildctl(PrivateBuildKit.buildctl()).registryCache(false));
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {worker, buildkit, daemon}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void runJob_nextCommitChangesOneFile_onlyThatFileWrittenAndSentAndTheImageHasIt() throws Exception {
    String repo = unique("srctree");
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("hello.txt", "first " + repo + "\n");
    for (int i = 0; i < 300; i++) {
      files.put("src/pkg" + (i / 50) + "/file" + i + ".txt", "file " + i + " " + "x".repeat(200) + "\n");
    }
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCOPY src/ /src/\nCOPY hello.txt /hello.txt\n"
        + "CMD [\"/bin/busybox\", \"cat\", \"/hello.txt\"]\n");
    String first = repos.create(repo, "main", files);

    String other = unique("srctree-other");
    Map<String, Object> otherFiles = new LinkedHashMap<>(files);
    otherFiles.put("hello.txt", "other " + other + "\n");
    repos.create(other, "main", otherFiles);

    JobResponse v1 = run(repo, "v1", "");
    run(other, "v1", ""); // another repository on the same buildkitd between the two jobs
    repos.commit(repo, "main", Map.of("hello.txt", "second " + repo + "\n"), "change hello");
    JobResponse v2 = run(repo, "v2", "");
    JobResponse back = run(repo, "v3", first);

    assertThat(v1.getLogs()).contains("kept source tree written whole: 303 paths");
    assertThat(v2.getLogs()).contains("kept source tree updated: 1 paths written, 1 removed",
            "buildkitd's copy of the context: shared key blacktree-")
        .doesNotContain("has no --shared-key");
    long sentFirst = contextBytes(v1.getLogs());
    long sentNext = contextBytes(v2.getLogs());
    assertThat(sentFirst).as("busybox and 300 files").isGreaterThan(500_000);
    assertThat(sentNext).as(v2.getLogs()).isLessThan(sentFirst / 10);
    System.out.printf("context sent by BuildKit: first job %d bytes, next commit's job %d bytes%n", sentFirst, sentNext);
    assertThat(pullAndRunRemote(v2.getImageUrl() + "@" + v2.getDigest())).contains("second " + repo);
    assertThat(back.getLogs()).contains("kept source tree updated: 1 paths written, 1 removed");
    assertThat(pullAndRunRemote(back.getImageUrl() + "@" + back.getDigest())).contains("first " + repo);
    assertThat(keptFiles()).as("only the commits' files: nothing a job wrote")
        .isEqualTo(new TreeSet<>(files.keySet()));
    worker.assertNoWorkspace();
  }

  private JobResponse run(String repo, String version, String commit) {
    JobResponse r = worker.stub(300).runJob(request(repo, "main", version).setCommit(commit).build());
    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    return r;
  }

  /** The largest {@code transferring context} figure buildctl printed for the job (the context, not the Dockerfile). */
  private static long contextBytes(String logs) {
    long max = -1;
    Matcher m = TRANSFER.matcher(logs);
    while (m.find()) {
      double unit = switch (m.group(2)) {
        case "MB" -> 1e6;
        case "kB" -> 1e3;
        default -> 1;
      };
      max = Math.max(max, (long) (Double.parseDouble(m.group(1)) * unit));
    }
    assertThat(max).as("a 'transferring context' line in the job's log:\n" + logs).isNotNegative();
    return max;
  }

  /** Every file under the worker's kept source trees, relative to its tree. */
  private Set<String> keptFiles() throws Exception {
    Path sources = worker.workdir.resolve("sources");
    Set<String> out = new TreeSet<>();
    try (Stream<Path> trees = Files.list(sources)) {
      for (Path tree : (Iterable<Path>) trees::iterator) {
        if (Files.isDirectory(tree)) {
          try (Stream<Path> s = Files.walk(tree)) {
            s.filter(Files::isRegularFile).forEach(p -> out.add(tree.relativize(p).toString()));
          }
        }
      }
    }
    return out;
  }
}
