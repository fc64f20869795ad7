package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitHttpServer;
import io.blacktree.testsupport.git.GitRepos;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git mirror cache against a real git daemon and smart-HTTP server (no Docker needed). */
class GitMirrorCacheIT {
  @TempDir static Path dir;
  static GitRepos repos;
  static GitDaemonServer daemon;

  @BeforeAll
  static void start() {
    repos = WorkerFixture.repos(dir);
    daemon = GitDaemonServer.start(repos.baseDir());
  }

  @AfterAll
  static void stop() {
    daemon.close();
  }

  /** {@code n} files of {@code size} random (incompressible) bytes, plus an executable and a symlink. */
  static Map<String, Object> randomFiles(int n, int size, long seed) {
    Random r = new Random(seed);
    Map<String, Object> files = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[size];
      r.nextBytes(b);
      files.put("data/d" + (i % 10) + "/f" + i + ".bin", b);
    }
    files.put("run.sh", Path.of("/bin/busybox"));
    files.put("link", new GitRepos.Symlink("run.sh"));
    return files;
  }

  static URI url(String repo) {
    return URI.create(daemon.baseUrl() + repo);
  }

  static GitMirrorCache.Result checkout(GitMirrorCache cache, URI url, String branch, String commit, Path dest)
      throws Exception {
    return cache.checkout(url, branch, commit, null, dest, () -> false, Instant.now().plusSeconds(60), s -> { });
  }

  static Path dest() {
    return dir.resolve("ws-" + UUID.randomUUID());
  }

  @Test
  void checkout_sameRepoAgain_secondFetchGetsOnlyNewObjects() throws Exception {
    String repo = WorkerFixture.unique("mirror");
    repos.create(repo, "main", randomFiles(200, 2048, 1));
    GitMirrorCache cache = new GitMirrorCache(dir.resolve("cache-reuse"), Long.MAX_VALUE, 0);

    Path d1 = dest();
    GitMirrorCache.Result first = checkout(cache, url(repo), "main", "", d1);
    String second = repos.commit(repo, "main", Map.of("data/d1/f1.bin", "changed\n"), "change one file");
    Path d2 = dest();
    GitMirrorCache.Result warm = checkout(cache, url(repo), "main", "", d2);
    GitMirrorCache.Result again = checkout(cache, url(repo), "main", "", dest());

    assertThat(first.hit()).isFalse();
    assertThat(first.bytesFetched()).isGreaterThan(200 * 2048);
    assertThat(warm.hit()).isTrue();
    assertThat(warm.sha()).isEqualTo(second);
    assertThat(warm.objectsFetched()).as("commit + changed trees + blob").isBetween(1, 6);
    assertThat(warm.bytesFetched()).isLessThan(first.bytesFetched() / 50);
    assertThat(again.bytesFetched()).isZero();
    assertThat(again.objectsFetched()).isZero();
    assertThat(Files.readString(d2.resolve("data/d1/f1.bin"))).isEqualTo("changed\n");
    assertThat(d2.resolve(".git")).doesNotExist();
    assertThat(Files.getPosixFilePermissions(d2.resolve("run.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(Files.isSymbolicLink(d2.resolve("link"))).isTrue();
    assertThat(Files.readSymbolicLink(d2.resolve("link"))).isEqualTo(Path.of("run.sh"));
    System.out.printf("mirror reuse: cold %d bytes/%d objects, warm %d bytes/%d objects%n", first.bytesFetched(),
        first.objectsFetched(), warm.bytesFetched(), warm.objectsFetched());
  }

  @Test
  void checkout_exactCommitAlreadyInMirror_fetchesNothing() throws Exception {
    String repo = WorkerFixture.unique("commit");
    String sha = repos.create(repo, "main", Map.of("a.txt", "a\n"));
    GitMirrorCache cache = new GitMirrorCache(dir.resolve("cache-commit"), Long.MAX_VALUE, 0);
    checkout(cache, url(repo), "main", "", dest());

    Path d = dest();
    GitMirrorCache.Result r = checkout(cache, url(repo), "main", sha, d);

    assertThat(r.sha()).isEqualTo(sha);
    assertThat(r.hit()).isTrue();
    assertThat(r.objectsFetched()).isZero();
    assertThat(Files.readString(d.resolve("a.txt"))).isEqualTo("a\n");
  }

  @Test
  void checkout_corruptedMirror_deletedFetchedAgainAndSucceeds() throws Exception {
    String repo = WorkerFixture.unique("corrupt");
    repos.create(repo, "main", Map.of("a.txt", "first\n"));
    GitMirrorCache cache = new GitMirrorCache(dir.resolve("cache-corrupt"), Long.MAX_VALUE, 0);
    checkout(cache, url(repo), "main", "", dest());
    String sha = repos.commit(repo, "main", Map.of("a.txt", "second\n"), "second");
    corrupt(cache.mirrorFor(url(repo)));

    Path d = dest();
    GitMirrorCache.Result r = checkout(cache, url(repo), "main", "", d);

    assertThat(r.healed()).isTrue();
    assertThat(r.hit()).isFalse();
    assertThat(r.sha()).isEqualTo(sha);
    assertThat(Files.readString(d.resolve("a.txt"))).isEqualTo("second\n");
    assertThat(GitMirrorCache.healthy(cache.mirrorFor(url(repo)))).isTrue();
  }

  @Test
  void checkout_missingBranch_failsAndKeepsTheGoodMirror() throws Exception {
    String repo = WorkerFixture.unique("nobranch");
    repos.create(repo, "main", Map.of("a.txt", "a\n"));
    GitMirrorCache cache = new GitMirrorCache(dir.resolve("cache-nobranch"), Long.MAX_VALUE, 0);
    checkout(cache, url(repo), "main", "", dest());

    assertThatThrownBy(() -> checkout(cache, url(repo), "nope", "", dest()))
        .satisfies(e -> assertThat(ErrorClassifier.git((Exception) e).kind())
            .isEqualTo(io.blacktree.core.ErrorKind.BRANCH_NOT_FOUND));
    assertThat(checkout(cache, url(repo), "main", "", dest()).hit()).isTrue();
  }

  @Test
  void checkout_cacheOverBound_leastRecentlyUsedMirrorEvicted() throws Exception {
    GitMirrorCache cache = new GitMirrorCache(dir.resolve("cache-evict"), 450_000, 0);
    List<String> names = List.of(WorkerFixture.unique("lru-a"), WorkerFixture.unique("lru-b"),
        WorkerFixture.unique("lru-c"));
    long seed = 10;
    for (String n : names) {
      Map<String, Object> files = randomFiles(100, 2000, seed++);
      files.remove("run.sh");
      files.remove("link");
      repos.create(n, "main", files); // ~200 KB of mirror each: two fit under the bound, three do not
      checkout(cache, url(n), "main", "", dest());
      Thread.sleep(20); // distinct LRU timestamps
    }

    assertThat(cache.mirrorFor(url(names.get(0)))).doesNotExist();
    assertThat(cache.mirrorFor(url(names.get(1)))).exists();
    assertThat(cache.mirrorFor(url(names.get(2)))).exists();
    assertThat(cache.sizeBytes()).isLessThanOrEqualTo(450_000);
  }

  @Test
  void checkout_twoCachesOnOneDirAtOnce_bothSucceedOneFetches() throws Exception {
    String repo = WorkerFixture.unique("shared");
    String sha = repos.create(repo, "main", randomFiles(100, 2048, 42));
    Path shared = dir.resolve("cache-shared");
    GitMirrorCache a = new GitMirrorCache(shared, Long.MAX_VALUE, 0);
    GitMirrorCache b = new GitMirrorCache(shared, Long.MAX_VALUE, 0);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var fa = pool.submit(() -> checkout(a, url(repo), "main", "", dest()));
      var fb = pool.submit(() -> checkout(b, url(repo), "main", "", dest()));
      GitMirrorCache.Result ra = fa.get(60, java.util.concurrent.TimeUnit.SECONDS);
      GitMirrorCache.Result rb = fb.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(List.of(ra.sha(), rb.sha())).containsOnly(sha);
      assertThat(List.of(ra.hit(), rb.hit())).containsExactlyInAnyOrder(true, false);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void checkout_smartHttpWithToken_tokenNeverWrittenToTheCache() throws Exception {
    String token = "tok-" + UUID.randomUUID();
    String repo = WorkerFixture.unique("token");
    String sha = repos.create(repo, "main", Map.of("a.txt", "a\n"));
    Path root = dir.resolve("cache-token");
    try (GitHttpServer http = GitHttpServer.start(repos.baseDir(), token)) {
      GitMirrorCache cache = new GitMirrorCache(root, Long.MAX_VALUE, 0);
      GitMirrorCache.Result r = cache.checkout(URI.create(http.baseUrl() + repo), "main", "",
          new UsernamePasswordCredentialsProvider("x-access-token", token), dest(), () -> false,
          Instant.now().plusSeconds(60), s -> { });
      assertThat(r.sha()).isEqualTo(sha);
      assertThat(http.unauthorizedCount()).isPositive();
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
            .doesNotContain(token).doesNotContain("x-access-token");
      }
    }
  }

  /** Overwrites every pack and loose object of a mirror with garbage. */
  static void corrupt(Path mirror) throws IOException {
    try (Stream<Path> s = Files.walk(mirror.resolve("objects"))) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        f.toFile().setWritable(true);
        Files.write(f, "garbage".getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
