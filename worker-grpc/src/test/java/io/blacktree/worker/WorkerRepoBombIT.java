package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.JobResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Repository bombs against a worker with a small checkout bound ({@value #LIMIT} bytes): a branch 20,000
 * commits deep in a repository with 5,000 more refs is contained (one commit fetched, built in seconds), a
 * file larger than the bound is refused ({@code POLICY_VIOLATION}, not retried) before it is written. Either
 * way the workspace is removed and nothing outside it is written.
 */
class WorkerRepoBombIT extends WorkerItBase {
  private static final long LIMIT = 8L * 1024 * 1024;
  private static final int COMMITS = 20_000;
  private static final int REFS = 5_000;
  private static final Duration BOUND = Duration.ofSeconds(60);
  static Path outside;

  @Override
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    return defaults.maxCheckoutBytes(LIMIT);
  }

  @BeforeAll
  static void createOutside() throws Exception {
    outside = Files.createDirectories(dir.resolve("outside"));
  }

  @Test
  void runJob_deepHistoryAndManyRefs_containedOneCommitFetchedWithinBound() throws Exception {
    String repo = unique("bomb-history");
    repos.create(repo, "main", app(repo));
    Path bare = repos.baseDir().resolve(repo);
    bomb(bare);
    assertThat(git(bare, "rev-list", "--count", "main").trim()).isEqualTo(String.valueOf(COMMITS + 1));
    assertThat(git(bare, "for-each-ref", "--format=x").lines().count()).isGreaterThan(REFS);

    long start = System.nanoTime();
    JobResponse r = run(repo);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(took).as("job time").isLessThan(BOUND);
    Matcher fetched = Pattern.compile("fetched (\\d+) bytes, (\\d+) objects").matcher(r.getLogs());
    assertThat(fetched.find()).as(r.getLogs()).isTrue();
    assertThat(Integer.parseInt(fetched.group(2))).as("objects fetched: one commit and its tree, not the history")
        .isLessThan(50);
  }

  @Test
  void runJob_fileLargerThanTheCheckoutBound_policyViolationNothingWritten() throws Exception {
    String repo = repoWithHugeFile("bomb-file");

    long start = System.nanoTime();
    JobResponse r = run(repo);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.POLICY_VIOLATION);
    assertThat(r.getRetryable()).isFalse();
    assertThat(r.getErrorMessage()).contains("--max-checkout-bytes").contains("huge.bin");
    assertThat(took).as("job time").isLessThan(BOUND);
  }

  @Test
  void runJob_fileLargerThanTheBoundWithoutGitCache_policyViolationWorkspaceRemoved() throws Exception {
    String repo = repoWithHugeFile("bomb-file-nocache");

    try (WorkerFixture plain = WorkerFixture.start(dir.resolve("plain"), daemon.baseUrl(),
        new NoLogin(WorkerFixture.OPEN_REGISTRY), WorkerFixture.gitToken(null),
        c -> c.maxCheckoutBytes(LIMIT).gitCacheBytes(0))) {
      JobResponse r = run(plain, repo);

      assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
      assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.POLICY_VIOLATION);
      assertThat(r.getRetryable()).isFalse();
      assertThat(r.getErrorMessage()).contains("--max-checkout-bytes");
    }
  }

  /** A new repository (named after {@code what}) whose tree holds {@code huge.bin}, 12 MiB. */
  private static String repoWithHugeFile(String what) throws Exception {
    String repo = unique(what);
    Path huge = dir.resolve(repo.replace('/', '-') + ".bin");
    try (OutputStream out = Files.newOutputStream(huge)) {
      byte[] chunk = new byte[1024 * 1024];
      for (int i = 0; i < 12; i++) {
        out.write(chunk);
      }
    }
    Map<String, Object> files = new HashMap<>(app(repo));
    files.put("huge.bin", huge);
    repos.create(repo, "main", files);
    return repo;
  }

  private static JobResponse run(String repo) throws Exception {
    return run(worker, repo);
  }

  private static JobResponse run(WorkerFixture worker, String repo) throws Exception {
    Files.writeString(outside.resolve("canary.txt"), "outside", StandardCharsets.UTF_8);
    JobResponse r = worker.stub(BOUND.toSeconds()).runJob(request(repo, "main", "v1").build());
    worker.awaitFree();
    worker.assertNoWorkspace();
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).as("written outside").containsExactly("canary.txt");
    }
    return r;
  }

  /**
   * Puts {@value #COMMITS} empty commits on top of {@code main} and {@value #REFS} branches and tags pointing
   * into that history, in one {@code git fast-import} stream (seconds, not a process per commit).
   */
  private static void bomb(Path bare) throws Exception {
    String head = git(bare, "rev-parse", "main").trim();
    StringBuilder s = new StringBuilder(COMMITS * 120);
    for (int i = 1; i <= COMMITS; i++) {
      String msg = "bomb " + i + "\n";
      s.append("commit refs/heads/main\nmark :").append(i).append('\n')
          .append("committer Bomb <bomb@blacktree.invalid> ").append(1_700_000_000L + i).append(" +0000\n")
          .append("data ").append(msg.length()).append('\n').append(msg);
      if (i == 1) {
        s.append("from ").append(head).append('\n');
      }
      s.append('\n');
    }
    for (int i = 0; i < REFS; i++) {
      String ref = i % 2 == 0 ? "refs/heads/bomb/b" + i : "refs/tags/bomb-t" + i;
      s.append("reset ").append(ref).append("\nfrom :").append(1 + (i * (COMMITS / REFS)) % COMMITS).append("\n\n");
    }
    Process p = new ProcessBuilder("git", "fast-import", "--quiet").directory(bare.toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("fast-import.log").toFile()).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(s.toString().getBytes(StandardCharsets.UTF_8));
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("fast-import.log"))).isZero();
  }

  private static String git(Path bare, String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(bare.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("git " + cmd).isZero();
    return out;
  }
}
