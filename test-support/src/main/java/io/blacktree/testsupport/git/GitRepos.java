package io.blacktree.testsupport.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Bare git repositories for tests, made with the {@code git} CLI under one base directory that
 * {@link GitDaemonServer} and {@link GitHttpServer} serve. A repo named {@code owner/app} lives in
 * {@code <base>/owner/app} (bare); commits are made in a work tree beside it and pushed.
 *
 * <p>File contents in {@link #commit} are a {@code String} (text), {@code byte[]}, a {@link Path} (copied,
 * keeping its executable bit) or a {@link Symlink}. Served repos allow fetching any commit by SHA
 * ({@code uploadpack.allowAnySHA1InWant}), as GitHub does.
 */
public final class GitRepos {
  /** A symbolic link with this target. */
  public record Symlink(String target) {}

  private final Path base;
  private final Path work;

  public GitRepos(Path dir) {
    this.base = dir.resolve("repos");
    this.work = dir.resolve("work");
    try {
      Files.createDirectories(base);
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The directory to serve (git daemon --base-path, GIT_PROJECT_ROOT). */
  public Path baseDir() {
    return base;
  }

  /** Creates the bare repo {@code name} with one commit of {@code files} on {@code branch}; returns its SHA. */
  public String create(String name, String branch, Map<String, ?> files) {
    Path bare = base.resolve(name);
    Path tree = work.resolve(name);
    try {
      Files.createDirectories(bare);
      Files.createDirectories(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    git(bare, "init", "-q", "--bare", "-b", branch);
    git(bare, "config", "uploadpack.allowAnySHA1InWant", "true");
    git(bare, "config", "http.receivepack", "false");
    git(tree, "init", "-q", "-b", branch);
    git(tree, "remote", "add", "origin", bare.toString());
    return commit(name, branch, files, "initial");
  }

  /**
   * Writes {@code files} on {@code branch} (created from the current work-tree head when new), commits,
   * pushes; returns the new commit's SHA.
   */
  public String commit(String name, String branch, Map<String, ?> files, String message) {
    Path tree = work.resolve(name);
    git(tree, "checkout", "-q", "-B", branch);
    files.forEach((path, content) -> write(tree.resolve(path), content));
    git(tree, "add", "-A");
    git(tree, "-c", "user.name=Blacktree Test", "-c", "user.email=test@blacktree.invalid",
        "commit", "-q", "--allow-empty", "-m", message);
    git(tree, "push", "-q", "origin", "HEAD:refs/heads/" + branch);
    return git(tree, "rev-parse", "HEAD").trim();
  }

  private static void write(Path file, Object content) {
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      if (content instanceof String s) {
        Files.writeString(file, s, StandardCharsets.UTF_8);
      } else if (content instanceof byte[] b) {
        Files.write(file, b);
      } else if (content instanceof Path p) {
        Files.copy(p, file, StandardCopyOption.COPY_ATTRIBUTES);
      } else if (content instanceof Symlink l) {
        Files.createSymbolicLink(file, Path.of(l.target()));
      } else {
        throw new IllegalArgumentException("unsupported content for " + file + ": " + content);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code git args} in {@code dir}; returns stdout; fails on a non-zero exit. */
  static String git(Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("git");
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
