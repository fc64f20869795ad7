package io.blacktree.worker;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.EmptyProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;

/**
 * The worker's git object cache: one bare mirror per repository URL under {@code root}
 * ({@code <sha256 of the URL without userinfo>.git}, with a {@code .lock} file beside it), shared by every
 * worker on the host that is given the same directory.
 *
 * <p>A checkout takes the mirror's lock ({@link MirrorLock}), fetches just the requested branch (depth 1,
 * no tags) or, with a commit, that commit unless the mirror already has it, into the mirror, and brings the
 * destination to the resolved commit's tree ({@link SourceTree}: whole into a fresh workspace, or only the changed
 * paths into a tree the worker kept from its previous job of the repository; {@link TreeExport}'s checks either
 * way: no {@code .git}, no hooks, no submodules).
 * The fetch negotiates with what the mirror holds, so a warm job receives only new objects.
 *
 * <p>Credentials go to JGit per fetch through the {@link CredentialsProvider}; the mirror has no remote in its
 * config and the URL never carries userinfo. A mirror that fails locally (unreadable packs, refs to missing
 * objects) is deleted and fetched again once, so a corrupt cache never fails a job. After each checkout
 * the least recently used other mirrors are deleted until the cache is within {@code maxBytes} (a mirror in
 * use is skipped; the one just used is kept even if it alone exceeds the bound).
 */
final class GitMirrorCache {
  /** What a checkout did: the resolved commit, what the cache saved, and how the destination was brought to it. */
  record Result(String sha, boolean hit, long bytesFetched, int objectsFetched, boolean healed,
      SourceTree.Synced tree) {}

  private final Path root;
  private final long maxBytes;
  private final long maxCheckoutBytes;

  /** {@code maxCheckoutBytes}: most file bytes one checkout may hold (0 = no bound), see {@link SourceTree}. */
  GitMirrorCache(Path root, long maxBytes, long maxCheckoutBytes) {
    this.root = root;
    this.maxBytes = maxBytes;
    this.maxCheckoutBytes = maxCheckoutBytes;
  }

  Path root() {
    return root;
  }

  /** The mirror directory for {@code url} (whether or not it exists yet). */
  Path mirrorFor(URI url) {
    return root.resolve(key(url) + ".git");
  }

  /**
   * Brings the mirror of {@code url} up to date for {@code branch} (or {@code commit} when not empty) and
   * brings {@code dest} to that commit's tree ({@link SourceTree}). {@code stop} aborts a lock wait or a transfer.
   */
  Result checkout(URI url, String branch, String commit, CredentialsProvider credentials, Path dest,
      BooleanSupplier stop, Instant deadline, Consumer<String> log) throws IOException, GitAPIException {
    Files.createDirectories(root);
    String key = key(url);
    Path mirror = root.resolve(key + ".git");
    Path lockFile = root.resolve(key + ".lock");
    try (MirrorLock ignored = MirrorLock.acquire(lockFile, stop, deadline)) {
      MirrorLock.touch(lockFile);
      Result result = checkoutLocked(url, branch, commit, credentials, dest, stop, mirror, log);
      evict(mirror, log);
      return result;
    }
  }

  private Result checkoutLocked(URI url, String branch, String commit, CredentialsProvider credentials, Path dest,
      BooleanSupplier stop, Path mirror, Consumer<String> log) throws IOException, GitAPIException {
    boolean existed = Files.isDirectory(mirror);
    try {
      return fetchAndExport(url, branch, commit, credentials, dest, stop, mirror, existed, false);
    } catch (IOException | GitAPIException | RuntimeException e) {
      if (!existed || stop.getAsBoolean() || healthy(mirror)) {
        throw e;
      }
      log.accept("git cache: mirror unusable (" + e.getClass().getSimpleName() + "), deleting it and fetching again");
      Workspace.deleteTree(mirror);
      SourceTree.discard(dest);
      return fetchAndExport(url, branch, commit, credentials, dest, stop, mirror, false, true);
    }
  }

  private Result fetchAndExport(URI url, String branch, String commit, CredentialsProvider credentials, Path dest,
      BooleanSupplier stop, Path mirror, boolean hit, boolean healed) throws IOException, GitAPIException {
    try (Repository repo = openOrCreate(mirror); Git git = new Git(repo)) {
      long before = objectBytes(mirror);
      ObjectId target = commit.isEmpty() ? null : ObjectId.fromString(commit);
      CountingMonitor monitor = new CountingMonitor(stop);
      if (target == null || !repo.getObjectDatabase().has(target)) {
        RefSpec spec = target == null
            ? new RefSpec("+refs/heads/" + branch + ":refs/heads/" + branch)
            : new RefSpec(commit + ":refs/commits/" + commit);
        git.fetch()
            .setRemote(url.toString())
            .setRefSpecs(spec)
            .setDepth(1)
            .setTagOpt(TagOpt.NO_TAGS)
            .setRemoveDeletedRefs(false)
            .setCredentialsProvider(credentials)
            .setProgressMonitor(monitor)
            .call();
      }
      if (stop.getAsBoolean()) {
        throw new TransportException("stopped");
      }
      if (target == null) {
        target = repo.resolve("refs/heads/" + branch);
        if (target == null) {
          throw new TransportException("Remote branch " + branch + " not found in upstream origin");
        }
      }
      long fetched = Math.max(0, objectBytes(mirror) - before);
      SourceTree.Synced tree = SourceTree.sync(repo, target, dest, maxCheckoutBytes);
      return new Result(target.name(), hit, fetched, monitor.received, healed, tree);
    }
  }

  private static Repository openOrCreate(Path mirror) throws IOException {
    if (Files.isDirectory(mirror)) {
      return new FileRepositoryBuilder().setGitDir(mirror.toFile()).setBare().setMustExist(true).build();
    }
    Path tmp = Files.createTempDirectory(mirror.getParent(), mirror.getFileName() + ".new-");
    try {
      Repository created = new FileRepositoryBuilder().setGitDir(tmp.toFile()).setBare().build();
      created.create(true);
      created.close();
      Files.move(tmp, mirror);
    } catch (IOException | RuntimeException e) {
      Workspace.deleteTree(tmp);
      throw e;
    }
    return new FileRepositoryBuilder().setGitDir(mirror.toFile()).setBare().setMustExist(true).build();
  }

  /** True when the mirror opens and every ref's commit and tree can be read. */
  static boolean healthy(Path mirror) {
    try (Repository repo = new FileRepositoryBuilder().setGitDir(mirror.toFile()).setBare().setMustExist(true).build();
         RevWalk walk = new RevWalk(repo)) {
      for (Ref ref : repo.getRefDatabase().getRefs()) {
        if (ref.getObjectId() != null) {
          RevCommit c = walk.parseCommit(ref.getObjectId());
          walk.getObjectReader().open(c.getTree()).getBytes();
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Evicts least recently used mirrors other than {@code keep}, skipping those locked by a job, until within the bound. */
  private void evict(Path keep, Consumer<String> log) throws IOException {
    if (maxBytes <= 0) {
      return;
    }
    List<LruDirectories.Entry> entries = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.getFileName().toString().endsWith(".git") && Files.isDirectory(p)) {
          try {
            entries.add(LruDirectories.entry(p, lockFileOf(p), Optional.of(treeBytes(p))));
          } catch (java.nio.file.NoSuchFileException gone) {
            // evicted by another worker of this host meanwhile
          }
        }
      }
    }
    LruDirectories.evict(entries, keep, maxBytes, e -> {
      try (MirrorLock l = MirrorLock.tryAcquire(lockFileOf(e.dir()))) {
        if (l == null) {
          return false;
        }
        Workspace.deleteTree(e.dir());
        log.accept("git cache: evicted least recently used mirror " + e.dir().getFileName()
            + " (" + e.bytes().orElse(0L) + " bytes)");
        return true;
      }
    });
  }

  /** The lock file beside {@code mirror} ({@code <key>.lock} for {@code <key>.git}). */
  private static Path lockFileOf(Path mirror) {
    String name = mirror.getFileName().toString();
    return mirror.resolveSibling(name.substring(0, name.length() - ".git".length()) + ".lock");
  }

  /** Total bytes of the mirrors under the cache root. */
  long sizeBytes() throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    long total = 0;
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (p.getFileName().toString().endsWith(".git")) {
          total += treeBytes(p);
        }
      }
    }
    return total;
  }

  private static long objectBytes(Path mirror) throws IOException {
    return treeBytes(mirror.resolve("objects"));
  }

  private static long treeBytes(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    // Another job or JGit's auto-gc may create and remove files (gc.log.lock, packs) while this walks: a
    // file or directory gone in between counts as 0 bytes instead of failing the job.
    long[] total = {0};
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          total[0] += attrs.size();
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path directory, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    return total[0];
  }

  /** The cache key: SHA-256 of the URL with any userinfo removed. */
  static String key(URI url) {
    URI clean = url;
    if (url.getUserInfo() != null) {
      try {
        clean = new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), url.getQuery(), null);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("invalid repository URL", e);
      }
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(clean.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Counts the objects a fetch receives and lets a stopped job abort the transfer. */
  private static final class CountingMonitor extends EmptyProgressMonitor {
    private final BooleanSupplier stop;
    private int received;

    CountingMonitor(BooleanSupplier stop) {
      this.stop = stop;
    }

    @Override
    public void beginTask(String title, int totalWork) {
      if (title != null && title.startsWith("Receiving objects") && totalWork > 0) {
        received += totalWork;
      }
    }

    @Override
    public boolean isCancelled() {
      return stop.getAsBoolean();
    }
  }

  @Override
  public String toString() {
    return "GitMirrorCache[" + root + ", maxBytes=" + maxBytes + "]";
  }
}
