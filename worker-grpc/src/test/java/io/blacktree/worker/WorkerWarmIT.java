package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.docker;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.ReuseSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Warm jobs on the real engine, registry and git daemon: the git mirror cache, the lean context
 * ({@code .git} never sent, {@code .dockerignore} honoured) and layer reuse, as the response reports them.
 */
class WorkerWarmIT extends WorkerItBase {
  static JobResponse run(WorkerFixture w, JobRequestBuilder b) {
    JobResponse r = w.stub(300).runJob(b.build());
    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    return r;
  }

  private interface JobRequestBuilder {
    io.blacktree.proto.worker.v1.JobRequest build();
  }

  @Test
  void runJob_sameRepoAgain_mirrorHitCachedStepsNoLayersPushedAndOnlyNewObjectsFetched() throws Exception {
    String repo = unique("warm");
    Map<String, Object> files = app("warm " + repo, "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo " + repo
        + " > /built.txt\"]\n");
    String sha = repos.create(repo, "main", files);

    JobResponse cold = run(worker, () -> request(repo, "main", "v1").build());
    JobResponse warm = run(worker, () -> request(repo, "main", "v2").build());
    String next = repos.commit(repo, "main", Map.of("hello.txt", "warm again\n"), "change hello");
    JobResponse changed = run(worker, () -> request(repo, "main", "v3").build());

    ReuseSummary c = cold.getReuse();
    ReuseSummary w = warm.getReuse();
    assertThat(c.getMirrorHit()).isFalse();
    assertThat(c.getBytesFetched()).as("busybox is in the repo").isGreaterThan(500_000);
    assertThat(c.getLayersPushed()).isPositive();
    assertThat(warm.getCommitSha()).isEqualTo(sha);
    assertThat(w.getMirrorHit()).isTrue();
    assertThat(w.getBytesFetched()).isZero();
    assertThat(w.getCachedBuildSteps()).as(warm.getLogs()).isGreaterThanOrEqualTo(3);
    assertThat(w.getLayersPushed()).as(warm.getLogs()).isZero();
    assertThat(w.getLayersAlreadyInRegistry()).isEqualTo(c.getLayersPushed() + c.getLayersAlreadyInRegistry());
    assertThat(warm.getLogs()).contains("reuse: mirror hit, fetched 0 bytes")
        .containsPattern(
            "\\d+ cached steps \\(0 from the registry cache\\), \\d+ layers already in registry, 0 layers pushed");
    assertThat(changed.getCommitSha()).isEqualTo(next);
    assertThat(changed.getReuse().getMirrorHit()).isTrue();
    assertThat(changed.getReuse().getObjectsFetched()).isBetween(1, 6);
    assertThat(changed.getReuse().getBytesFetched()).isLessThan(c.getBytesFetched() / 50);
    assertThat(changed.getReuse().getCachedBuildSteps()).as("COPY busybox still cached").isPositive();
    assertThat(docker("run", "--rm", "--network", "none", changed.getImageUrl())).contains("warm again");
    System.out.printf("warm job reuse: cold %s%nwarm %s%nchanged %s%nsteps cold %s%nsteps warm %s%n", c, w,
        changed.getReuse(), cold.getStepDurationsList(), warm.getStepDurationsList());
  }

  @Test
  void runJob_repoWithDockerignore_imageHasNoGitAndNoIgnoredFiles() throws Exception {
    String repo = unique("ignore");
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("hello.txt", "hi\n");
    files.put("secret.env", "TOKEN=nope\n");
    files.put("logs/app.log", "log\n");
    files.put("src/deep/trace.log", "log\n");
    files.put("build/drop.txt", "drop\n");
    files.put("build/keep.txt", "keep\n");
    files.put(".dockerignore", "# test ignore file\nsecret.env\n**/*.log\n/build\n!build/keep.txt\nDockerfile\n");
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCOPY . /app/\n"
        + "CMD [\"/bin/busybox\", \"find\", \"/app\"]\n");
    repos.create(repo, "main", files);

    JobResponse r = run(worker, () -> request(repo, "main", "v1").build());
    List<String> listed = docker("run", "--rm", "--network", "none", r.getImageUrl()).lines().map(String::strip).toList();

    // the Dockerfile was sent (the build ran) but, ignored, is not copied: the daemon drops it, as with the CLI
    assertThat(listed).contains("/app/hello.txt", "/app/busybox", "/app/build/keep.txt",
        "/app/.dockerignore", "/app/src");
    assertThat(listed).noneMatch(l -> l.startsWith("/app/.git/") || l.equals("/app/.git"))
        .doesNotContain("/app/Dockerfile", "/app/secret.env", "/app/logs/app.log", "/app/src/deep/trace.log", "/app/build/drop.txt");
  }

  @Test
  void runJob_twoWorkersSharingOneCacheDirAtOnce_bothSucceedOneFetches() throws Exception {
    String repo = unique("shared");
    String sha = repos.create(repo, "main", app("shared " + repo));
    Path cache = dir.resolve("shared-git-cache");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (WorkerFixture a = WorkerFixture.start(dir.resolve("wa"), daemon.baseUrl(),
             new NoLogin(WorkerFixture.OPEN_REGISTRY), WorkerFixture.gitToken(null), c -> c.gitCacheDir(cache).gitCacheBytes(1L << 30));
         WorkerFixture b = WorkerFixture.start(dir.resolve("wb"), daemon.baseUrl(),
             new NoLogin(WorkerFixture.OPEN_REGISTRY), WorkerFixture.gitToken(null), c -> c.gitCacheDir(cache).gitCacheBytes(1L << 30))) {
      Future<JobResponse> fa = pool.submit(() -> run(a, () -> request(repo, "main", "v1").build()));
      Future<JobResponse> fb = pool.submit(() -> run(b, () -> request(repo, "main", "v2").build()));
      JobResponse ra = fa.get(300, TimeUnit.SECONDS);
      JobResponse rb = fb.get(300, TimeUnit.SECONDS);

      assertThat(List.of(ra.getCommitSha(), rb.getCommitSha())).containsOnly(sha);
      assertThat(List.of(ra.getReuse().getMirrorHit(), rb.getReuse().getMirrorHit()))
          .containsExactlyInAnyOrder(true, false);
      try (Stream<Path> s = Files.list(cache)) {
        assertThat(s.filter(p -> p.toString().endsWith(".git")).count()).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void runJob_corruptedMirror_healedAndJobSucceeds() throws Exception {
    String repo = unique("heal");
    repos.create(repo, "main", app("heal one"));
    try (WorkerFixture w = WorkerFixture.start(dir.resolve("w-heal"), daemon.baseUrl())) {
      run(w, () -> request(repo, "main", "v1").build());
      String next = repos.commit(repo, "main", Map.of("hello.txt", "heal two\n"), "two");
      Path cache = w.app.config().effectiveGitCacheDir();
      try (Stream<Path> s = Files.list(cache)) {
        for (Path mirror : s.filter(p -> p.toString().endsWith(".git")).toList()) {
          GitMirrorCacheIT.corrupt(mirror);
        }
      }

      JobResponse r = run(w, () -> request(repo, "main", "v2").build());

      assertThat(r.getCommitSha()).isEqualTo(next);
      assertThat(r.getReuse().getMirrorHealed()).isTrue();
      assertThat(r.getLogs()).contains("mirror unusable", "reuse: mirror miss (healed)");
      assertThat(docker("run", "--rm", "--network", "none", r.getImageUrl())).contains("heal two");
      w.assertNoWorkspace();
    }
  }
}
