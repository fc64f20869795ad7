package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The incremental update of a kept source tree, against commits made with JGit in a bare repository. */
class SourceTreeTest {
  private static final FileTime OLD = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
  @TempDir Path dir;
  private Repository repo;
  private Path tree;

  private Commits commits;

  @BeforeEach
  void open() throws Exception {
    repo = FileRepositoryBuilder.create(dir.resolve("mirror.git").toFile());
    repo.create(true);
    commits = new Commits(repo);
    tree = dir.resolve("sources").resolve("key");
  }

  @AfterEach
  void close() {
    repo.close();
  }

  @Test
  void sync_firstUse_writesWholeTreeAndRecordsIt() throws Exception {
    ObjectId v1 = commits.commit(Map.of("Dockerfile", "FROM scratch\n", "src/a.txt", "a\n", "run.sh", new Commits.Exec("echo\n")));

    SourceTree.Synced s = SourceTree.sync(repo, v1, tree, 0);

    assertThat(s.incremental()).isFalse();
    assertThat(s.written()).isEqualTo(3);
    assertThat(s.bytes()).isEqualTo(13 + 2 + 5);
    assertThat(files()).containsExactlyInAnyOrderEntriesOf(Map.of("Dockerfile", "FROM scratch\n", "src/a.txt", "a\n",
        "run.sh", "echo\n"));
    assertThat(Files.getPosixFilePermissions(tree.resolve("run.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(Files.readString(SourceTree.stateFile(tree))).startsWith(v1.name() + " 20");
  }

  @Test
  void sync_oneFileChanged_rewritesOnlyItAndOthersKeepTheirTimes() throws Exception {
    Map<String, Object> files = manyFiles(200);
    ObjectId v1 = commits.commit(files);
    SourceTree.sync(repo, v1, tree, 0);
    ageAll();
    files.put("src/pkg3/file157.txt", "changed\n");
    ObjectId v2 = commits.commit(files);

    SourceTree.Synced s = SourceTree.sync(repo, v2, tree, 0);

    assertThat(s.incremental()).isTrue();
    assertThat(s.written()).isEqualTo(1);
    assertThat(s.removed()).isEqualTo(1);
    assertThat(files()).isEqualTo(asText(files));
    assertThat(newerThanOld()).containsExactly("src/pkg3/file157.txt");
  }

  @Test
  void sync_changeKeepingTheSize_isSeen() throws Exception {
    ObjectId v1 = commits.commit(Map.of("src/a.txt", "aaaa\n", "src/b.txt", "bbbb\n"));
    SourceTree.sync(repo, v1, tree, 0);
    ageAll();
    ObjectId v2 = commits.commit(Map.of("src/a.txt", "AAAA\n", "src/b.txt", "bbbb\n"));

    SourceTree.Synced s = SourceTree.sync(repo, v2, tree, 0);

    assertThat(s.incremental()).isTrue();
    assertThat(Files.readString(tree.resolve("src/a.txt"))).isEqualTo("AAAA\n");
    assertThat(newerThanOld()).containsExactly("src/a.txt");
  }

  @Test
  void sync_olderCommitThanHeld_bringsTheTreeBack() throws Exception {
    Map<String, Object> v1Files = Map.of("src/a.txt", "one\n", "gone/x.txt", "x\n");
    ObjectId v1 = commits.commit(v1Files);
    ObjectId v2 = commits.commit(Map.of("src/a.txt", "two\n", "src/new.txt", "new\n"));
    SourceTree.sync(repo, v2, tree, 0);

    SourceTree.Synced s = SourceTree.sync(repo, v1, tree, 0);

    assertThat(s.incremental()).isTrue();
    assertThat(files()).isEqualTo(asText(v1Files));
    assertThat(tree.resolve("src/new.txt")).doesNotExist();
    assertThat(s.bytes()).isEqualTo(4 + 2);
  }

  @Test
  void sync_fileDeleted_removesItAndItsEmptyDirectory() throws Exception {
    ObjectId v1 = commits.commit(Map.of("keep.txt", "k\n", "a/b/c.txt", "c\n"));
    SourceTree.sync(repo, v1, tree, 0);
    ObjectId v2 = commits.commit(Map.of("keep.txt", "k\n"));

    SourceTree.sync(repo, v2, tree, 0);

    assertThat(files()).isEqualTo(Map.of("keep.txt", "k\n"));
    assertThat(tree.resolve("a")).doesNotExist();
  }

  @Test
  void sync_fileBecomesDirectoryAndBack_followsEachCommit() throws Exception {
    ObjectId asFile = commits.commit(Map.of("x", "file\n", "other.txt", "o\n"));
    ObjectId asDir = commits.commit(Map.of("x/inner.txt", "inner\n", "other.txt", "o\n"));

    SourceTree.sync(repo, asFile, tree, 0);
    SourceTree.Synced toDir = SourceTree.sync(repo, asDir, tree, 0);
    assertThat(toDir.incremental()).isTrue();
    assertThat(files()).isEqualTo(Map.of("x/inner.txt", "inner\n", "other.txt", "o\n"));

    SourceTree.Synced toFile = SourceTree.sync(repo, asFile, tree, 0);
    assertThat(toFile.incremental()).isTrue();
    assertThat(files()).isEqualTo(Map.of("x", "file\n", "other.txt", "o\n"));
  }

  @Test
  void sync_modeChangedOnly_setsTheExecutableBit() throws Exception {
    ObjectId v1 = commits.commit(Map.of("run.sh", "echo\n"));
    ObjectId v2 = commits.commit(Map.of("run.sh", new Commits.Exec("echo\n")));
    SourceTree.sync(repo, v1, tree, 0);

    SourceTree.sync(repo, v2, tree, 0);

    assertThat(Files.getPosixFilePermissions(tree.resolve("run.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
  }

  @Test
  void sync_afterUpdateStoppedHalfway_rewritesTheWholeTree() throws Exception {
    ObjectId v1 = commits.commit(Map.of("src/a.txt", "a\n", "src/b.txt", "b\n"));
    SourceTree.sync(repo, v1, tree, 0);
    // what a crash in the middle of an update leaves: the state file gone (deleted first), files half written
    Files.delete(SourceTree.stateFile(tree));
    Files.writeString(tree.resolve("src/b.txt"), "half");
    Files.writeString(tree.resolve("stray.txt"), "left by the interrupted update\n");
    ObjectId v2 = commits.commit(Map.of("src/a.txt", "a2\n", "src/b.txt", "b\n"));

    SourceTree.Synced s = SourceTree.sync(repo, v2, tree, 0);

    assertThat(s.incremental()).isFalse();
    assertThat(files()).isEqualTo(Map.of("src/a.txt", "a2\n", "src/b.txt", "b\n"));
  }

  @Test
  void sync_stateWrittenBeforeThisBoot_rewritesTheWholeTree() throws Exception {
    ObjectId v1 = commits.commit(Map.of("src/a.txt", "a\n", "src/b.txt", "b\n"));
    SourceTree.sync(repo, v1, tree, 0);
    // what a power loss can leave: a state file that says "done" over a file whose writes never reached the disk
    Files.writeString(SourceTree.stateFile(tree), v1.name() + " 4 an-earlier-boot\n");
    Files.writeString(tree.resolve("src/b.txt"), "");
    ObjectId v2 = commits.commit(Map.of("src/a.txt", "a2\n", "src/b.txt", "b\n"));

    SourceTree.Synced s = SourceTree.sync(repo, v2, tree, 0);

    assertThat(s.incremental()).isFalse();
    assertThat(files()).isEqualTo(Map.of("src/a.txt", "a2\n", "src/b.txt", "b\n"));
    assertThat(SourceTree.heldBytes(tree)).contains(5L);
  }

  @Test
  void sync_heldCommitNotInTheMirror_rewritesTheWholeTree() throws Exception {
    ObjectId v1 = commits.commit(Map.of("a.txt", "a\n"));
    SourceTree.sync(repo, v1, tree, 0);
    Files.writeString(SourceTree.stateFile(tree), "0123456789012345678901234567890123456789 2 " + BootId.current() + "\n");

    SourceTree.Synced s = SourceTree.sync(repo, v1, tree, 0);

    assertThat(s.incremental()).isFalse();
    assertThat(files()).isEqualTo(Map.of("a.txt", "a\n"));
  }

  @Test
  void sync_symlinkReplacedByDirectory_neverWritesThroughTheLink() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    ObjectId v1 = commits.commit(Map.of("lnk", new Commits.Link(outside.toString()), "a.txt", "a\n"));
    ObjectId v2 = commits.commit(Map.of("lnk/evil.txt", "evil\n", "a.txt", "a\n"));
    SourceTree.sync(repo, v1, tree, 0);

    SourceTree.sync(repo, v2, tree, 0);

    assertThat(Files.isSymbolicLink(tree.resolve("lnk"))).isFalse();
    assertThat(Files.readString(tree.resolve("lnk/evil.txt"))).isEqualTo("evil\n");
    assertThat(outside.resolve("evil.txt")).doesNotExist();
  }

  @Test
  void sync_craftedSymlinkAndDirectoryOfOneName_refusedAndNextSyncWritesWhole() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    ObjectId v1 = commits.commit(Map.of("a.txt", "a\n"));
    SourceTree.sync(repo, v1, tree, 0);
    ObjectId evilTree = commits.tree(Map.of("evil.txt", "evil\n"));
    ObjectId link = commits.blob(outside.toString());
    ObjectId v2 = commits.commit(commits.rawTree(List.of(
        new Commits.Raw("a.txt", FileMode.REGULAR_FILE, commits.blob("a\n")),
        new Commits.Raw("lnk", FileMode.SYMLINK, link), new Commits.Raw("lnk", FileMode.TREE, evilTree))));

    assertThatThrownBy(() -> SourceTree.sync(repo, v2, tree, 0)).isInstanceOf(TreeExport.UnsafeTreeException.class);

    assertThat(outside.resolve("evil.txt")).doesNotExist();
    assertThat(SourceTree.stateFile(tree)).doesNotExist();
    assertThat(SourceTree.sync(repo, v1, tree, 0).incremental()).isFalse();
    assertThat(files()).isEqualTo(Map.of("a.txt", "a\n"));
  }

  @Test
  void sync_gitDirectoryInTheNewCommit_refused() throws Exception {
    ObjectId v1 = commits.commit(Map.of("a.txt", "a\n"));
    SourceTree.sync(repo, v1, tree, 0);
    ObjectId v2 = commits.commit(Map.of("a.txt", "a\n", ".GIT/config", "[core]\n"));

    assertThatThrownBy(() -> SourceTree.sync(repo, v2, tree, 0)).isInstanceOf(TreeExport.UnsafeTreeException.class);
    assertThat(tree.resolve(".GIT")).doesNotExist();
  }

  @Test
  void sync_resultOverTheBound_refusedBeforeTouchingTheTree() throws Exception {
    ObjectId v1 = commits.commit(Map.of("a.txt", "a".repeat(100)));
    SourceTree.sync(repo, v1, tree, 150);
    ObjectId v2 = commits.commit(Map.of("a.txt", "a".repeat(100), "big.bin", "b".repeat(100)));

    assertThatThrownBy(() -> SourceTree.sync(repo, v2, tree, 150))
        .isInstanceOf(TreeExport.CheckoutTooLargeException.class)
        .hasMessageContaining("200 bytes");
    assertThat(tree.resolve("big.bin")).doesNotExist();
  }

  @Test
  void sync_failedUpdate_leavesNoTreeToHoldTheDisk() throws Exception {
    ObjectId v1 = commits.commit(Map.of("a.txt", "a".repeat(100)));
    SourceTree.sync(repo, v1, tree, 0);
    ObjectId v2 = commits.commit(Map.of("a.txt", "a".repeat(100), "big.bin", "b".repeat(100)));

    assertThatThrownBy(() -> SourceTree.sync(repo, v2, tree, 150)).isInstanceOf(IOException.class);

    assertThat(tree).as("an unfinished tree is removed, not left for the next job").doesNotExist();
    assertThat(SourceTree.stateFile(tree)).doesNotExist();
    assertThat(SourceTree.sync(repo, v2, tree, 0).incremental()).isFalse();
  }

  @Test
  void sync_afterUpdate_stateFileWrittenWholeWithNoTemporaryLeft() throws Exception {
    ObjectId v1 = commits.commit(manyFiles(60));
    SourceTree.sync(repo, v1, tree, 0);
    ObjectId v2 = commits.commit(Map.of("Dockerfile", "FROM scratch\n", "src/only.txt", "only\n"));

    SourceTree.Synced s = SourceTree.sync(repo, v2, tree, 0);

    assertThat(Files.readString(SourceTree.stateFile(tree)))
        .isEqualTo(v2.name() + " " + s.bytes() + " " + BootId.current() + "\n");
    try (Stream<Path> siblings = Files.list(tree.getParent())) {
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("key", "key.state");
    }
  }

  @Test
  void discard_keptTree_removesStateFileAndTree() throws Exception {
    ObjectId v1 = commits.commit(manyFiles(60));
    SourceTree.sync(repo, v1, tree, 0);

    SourceTree.discard(tree);

    assertThat(SourceTree.stateFile(tree)).doesNotExist();
    assertThat(tree).doesNotExist();
    assertThat(SourceTree.heldBytes(tree)).isEmpty();
  }

  // --- helpers: commits made with JGit, and what the tree holds

  private static Map<String, Object> manyFiles(int n) {
    Map<String, Object> files = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      files.put("src/pkg" + (i / 50) + "/file" + i + ".txt", "file " + i + "\n");
    }
    files.put("Dockerfile", "FROM scratch\nCOPY src/ /src/\n");
    return files;
  }

  private static Map<String, String> asText(Map<String, Object> files) {
    Map<String, String> out = new TreeMap<>();
    files.forEach((k, v) -> out.put(k, v instanceof Commits.Exec e ? e.content() : (String) v));
    return out;
  }

  /** Every regular file under the tree, by relative path, with its content. */
  private Map<String, String> files() throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (Path p : regularFiles()) {
      out.put(tree.relativize(p).toString(), Files.readString(p));
    }
    return out;
  }

  private void ageAll() throws Exception {
    for (Path p : regularFiles()) {
      Files.setLastModifiedTime(p, OLD);
    }
  }

  private List<String> newerThanOld() throws Exception {
    List<String> out = new ArrayList<>();
    for (Path p : regularFiles()) {
      if (!Files.getLastModifiedTime(p).equals(OLD)) {
        out.add(tree.relativize(p).toString());
      }
    }
    return out;
  }

  private List<Path> regularFiles() throws Exception {
    try (Stream<Path> s = Files.walk(tree)) {
      return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }
  }
}
