package io.blacktree.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a build context as an uncompressed tar (as fast as the Docker CLI; file modes kept), leaving out
 * {@code .git} directories always and what the context's {@code .dockerignore} excludes ({@link DockerIgnore};
 * the daemon does not apply it to a tar it receives, the Docker CLI does it client-side as we do). Symlinks go
 * in as symlinks (the daemon never follows them on the host). A Dockerfile outside the context is added under
 * {@link #OUTSIDE_DOCKERFILE} and named in the tar's {@code .dockerignore}, as the Docker CLI does, so the
 * engine removes it from the context once read.
 */
final class ContextTar {
  static final String OUTSIDE_DOCKERFILE = ".blacktree.Dockerfile";
  private static final String DOCKERIGNORE = ".dockerignore";

  private ContextTar() {}

  /** Writes the tar to {@code out}; returns the Dockerfile's path inside it. */
  static String write(Path context, Path dockerfile, OutputStream out) throws IOException {
    return write(context, dockerfile, null, out);
  }

  /**
   * Writes the tar to {@code out} with {@code buildDockerfile}, when not null, as the Dockerfile the engine reads
   * (under {@link #OUTSIDE_DOCKERFILE}; the checkout's own Dockerfile stays in the context unchanged); returns the
   * Dockerfile's path inside the tar.
   */
  static String write(Path context, Path dockerfile, byte[] buildDockerfile, OutputStream out) throws IOException {
    // The side Dockerfile is named in the tar's .dockerignore, so the engine drops it from the context once read
    // and a COPY of the context does not copy it: always for a Dockerfile from outside the context (appended to
    // the context's own .dockerignore, as the Docker CLI does); for a shortened one only when the context has no
    // .dockerignore, since then the added one names itself too and the engine removes both, leaving no trace.
    boolean outside = buildDockerfile == null && !dockerfile.startsWith(context);
    boolean newIgnore = (outside || buildDockerfile != null) && !hasOwnIgnore(context);
    DockerIgnore ignore = DockerIgnore.load(context,
        dockerfile.startsWith(context) ? context.relativize(dockerfile).toString() : null);
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      Files.walkFileTree(context, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
          if (dir.getFileName() != null && dir.getFileName().toString().equals(".git")) {
            return FileVisitResult.SKIP_SUBTREE;
          }
          if (dir.equals(context)) {
            return FileVisitResult.CONTINUE;
          }
          String rel = context.relativize(dir).toString();
          if (ignore.excludes(rel)) {
            return ignore.mayIncludeUnder(rel) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
          }
          add(tar, rel + "/", dir);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          String rel = context.relativize(file).toString();
          if (outside && rel.equals(DOCKERIGNORE) && !Files.isSymbolicLink(file)) {
            byte[] own = Files.readAllBytes(file);
            addBytes(tar, DOCKERIGNORE, (new String(own, StandardCharsets.UTF_8) + "\n" + OUTSIDE_DOCKERFILE + "\n")
                .getBytes(StandardCharsets.UTF_8));
          } else if (!ignore.excludes(rel)) {
            add(tar, rel, file);
          }
          return FileVisitResult.CONTINUE;
        }
      });
      String name;
      if (buildDockerfile != null) {
        name = OUTSIDE_DOCKERFILE;
        addBytes(tar, name, buildDockerfile);
      } else if (!outside) {
        name = context.relativize(dockerfile).toString();
      } else {
        name = OUTSIDE_DOCKERFILE;
        add(tar, name, dockerfile);
      }
      if (newIgnore) {
        addBytes(tar, DOCKERIGNORE, (DOCKERIGNORE + "\n" + OUTSIDE_DOCKERFILE + "\n").getBytes(StandardCharsets.UTF_8));
      }
      tar.finish();
      return name;
    }
  }

  /** Whether the context has a {@code .dockerignore} of its own (file or link). */
  static boolean hasOwnIgnore(Path context) {
    return Files.exists(context.resolve(DOCKERIGNORE), LinkOption.NOFOLLOW_LINKS);
  }

  /** Adds a regular file {@code name} (mode 0644) holding {@code body}. */
  static void addBytes(TarArchiveOutputStream tar, String name, byte[] body) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(body.length);
    entry.setMode(0100644);
    tar.putArchiveEntry(entry);
    tar.write(body);
    tar.closeArchiveEntry();
  }

  private static void add(TarArchiveOutputStream tar, String name, Path p) throws IOException {
    TarArchiveEntry entry;
    boolean link = Files.isSymbolicLink(p);
    if (link) {
      entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
      entry.setLinkName(Files.readSymbolicLink(p).toString());
    } else {
      entry = new TarArchiveEntry(p.toFile(), name);
      entry.setMode(mode(p, entry.isDirectory()));
    }
    tar.putArchiveEntry(entry);
    // a symlink goes in as a link only: its target (maybe a host file) is never read
    if (!link && !entry.isDirectory()) {
      Files.copy(p, tar);
    }
    tar.closeArchiveEntry();
  }

  private static int mode(Path p, boolean dir) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    int mode = 0;
    int bit = 0400;
    for (PosixFilePermission perm : PosixFilePermission.values()) {
      if (perms.contains(perm)) {
        mode |= bit;
      }
      bit >>= 1;
    }
    return (dir ? 040000 : 0100000) | mode;
  }
}
