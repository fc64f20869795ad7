package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.testsupport.git.GitRepos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile repositories, crafted with git plumbing where porcelain refuses ({@code git mktree}): {@code .git}-named
 * entries, a symlink and a directory of the same name (write-through-symlink), a submodule, symlinks out of the
 * checkout. Each is refused with a clear kind or contained; a directory outside the workspace stays untouched.
 */
class WorkerHostileRepoIT extends WorkerItBase {
  static Path outside;

  @BeforeAll
  static void createOutside() throws Exception {
    outside = Files.createDirectories(dir.resolve("outside"));
  }

  @BeforeEach
  void outsideHoldsOnlyTheCanary() throws IOException {
    try (Stream<Path> s = Files.list(outside)) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.writeString(outside.resolve("canary.txt"), "host-canary-" + UUID.randomUUID(), StandardCharsets.UTF_8);
  }

  private static JobResponse run(String repo, String context) throws Exception {
    var req = request(repo, "main", "v1");
    if (context != null) {
      req.setContext(context);
    }
    JobResponse r = worker.stub(300).runJob(req.build());
    worker.awaitFree();
    worker.assertNoWorkspace();
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).as("written outside").containsExactly("canary.txt");
    }
    assertThat(r.getLogs() + r.getErrorMessage()).doesNotContain(Files.readString(outside.resolve("canary.txt")));
    return r;
  }

  private static void assertRefused(JobResponse r) {
    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.POLICY_VIOLATION);
    assertThat(r.getRetryable()).isFalse();
  }

  @Test
  void runJob_fileNamedUpperCaseGit_policyViolation() throws Exception {
    String name = repo0("dotgit-upper");
    String repo = plant(name, "100644 blob " + blob(name, "x") + "\t.GIT");
    assertRefused(run(repo, null));
  }

  @Test
  void runJob_gitDirectoryInSubdirectory_policyViolation() throws Exception {
    String name = repo0("dotgit-sub");
    Path bare = repos.baseDir().resolve(name);
    String hook = blob(name, "#!/bin/sh\ntouch " + outside.resolve("hooked") + "\n");
    String gitDir = mktree(bare, "100755 blob " + hook + "\tpost-checkout");
    String hooks = mktree(bare, "040000 tree " + gitDir + "\thooks");
    String sub = mktree(bare, "040000 tree " + hooks + "\t.git");
    assertRefused(run(plant(name, "040000 tree " + sub + "\tsub"), null));
  }

  @Test
  void runJob_symlinkAndDirectorySameName_nothingWrittenThroughTheLink() throws Exception {
    String name = repo0("linkdir");
    Path bare = repos.baseDir().resolve(name);
    String evil = mktree(bare, "100644 blob " + blob(name, "pwned") + "\tevil");
    String repo = plant(name, "120000 blob " + blob(name, outside.toString()) + "\tlink",
        "040000 tree " + evil + "\tlink");
    JobResponse r = run(repo, null);
    assertRefused(r);
  }

  @Test
  void runJob_contextSymlinkedOutOfCheckout_policyViolation() throws Exception {
    String repo = unique("ctxlink");
    Map<String, Object> files = new HashMap<>(app(repo));
    files.put("ctx", new GitRepos.Symlink(outside.toString()));
    repos.create(repo, "main", files);
    JobResponse r = run(repo, "ctx");
    assertRefused(r);
    assertThat(r.getErrorMessage()).contains("context");
  }

  @Test
  void runJob_contextFileSymlinkedToHostFile_hostFileNeverRead() throws Exception {
    String repo = unique("filelink");
    Map<String, Object> files = new HashMap<>(app(repo, "COPY leak /leak\nRUN [\"/bin/busybox\", \"cat\", \"/leak\"]\n"));
    files.put("leak", new GitRepos.Symlink(outside.resolve("canary.txt").toString()));
    repos.create(repo, "main", files);
    JobResponse r = run(repo, null);   // run() asserts the canary is in no log or message
    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
  }

  @Test
  void runJob_submodule_notFetchedBuildSucceeds() throws Exception {
    String name = repo0("submodule");
    String gitmodules = blob(name, "[submodule \"vendor\"]\n\tpath = vendor\n\turl = " + daemon.baseUrl()
        + "does-not-exist\n");
    String repo = plant(name, "100644 blob " + gitmodules + "\t.gitmodules",
        "160000 commit " + "1".repeat(40) + "\tvendor");
    JobResponse r = run(repo, null);
    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
  }

  // --- plumbing ---------------------------------------------------------------------------------------

  /** A normal repo with the tiny app; returns its name. */
  private static String repo0(String prefix) {
    String name = unique(prefix);
    repos.create(name, "main", app(name));
    return name;
  }

  /** Adds raw {@code git mktree} lines to the root tree of {@code name}'s main branch as a new commit. */
  private static String plant(String name, String... entries) throws Exception {
    Path bare = repos.baseDir().resolve(name);
    List<String> lines = new ArrayList<>(git(bare, null, "ls-tree", "main").lines().toList());
    lines.addAll(List.of(entries));
    String tree = mktree(bare, lines.toArray(String[]::new));
    String commit = git(bare, "hostile\n", "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit-tree", tree,
        "-p", "main").trim();
    git(bare, null, "update-ref", "refs/heads/main", commit);
    return name;
  }

  private static String blob(String name, String content) throws Exception {
    return git(repos.baseDir().resolve(name), content, "hash-object", "-w", "--stdin").trim();
  }

  private static String mktree(Path bare, String... lines) throws Exception {
    return git(bare, String.join("\n", lines) + "\n", "mktree").trim();
  }

  private static String git(Path dir, String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("git " + cmd).isZero();
    return out;
  }
}
