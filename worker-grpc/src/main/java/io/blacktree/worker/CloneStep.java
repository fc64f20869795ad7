package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.ValidationPolicy;
import io.blacktree.worker.JobFailure.GitFailure;
import io.blacktree.worker.JobFailure.PolicyFailure;
import java.net.URI;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.api.CloneCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.EmptyProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.URIish;

/**
 * Puts the request's commit into the workspace. With a {@link GitMirrorCache} (the default): fetched into the
 * worker's mirror of the repository (only new objects) and the commit's tree written out, without a
 * {@code .git}: with {@link KeptSources} (the default with the mirror cache), into the tree of the repository the
 * worker kept from its last job of it, only the paths that changed. Without one: cloned with JGit, shallow
 * (depth 1), the one branch, no tags, no submodules; or, with a {@code commit}, exactly that commit (init + fetch
 * of the SHA, detached HEAD). Hooks never run either
 * way. Returns the resolved commit SHA and what the cache saved. Credentials go through a provider, never
 * into the URL.
 */
final class CloneStep {
  /** The checked-out commit and, when the mirror cache was used, what it saved (else null). */
  record Checkout(String sha, GitMirrorCache.Result mirror) {}

  private final ValidationPolicy policy;
  private final GitCredentials credentials;
  private final GitMirrorCache mirrors;
  private final KeptSources kept;
  private final long checkoutBytes;

  /**
   * {@code mirrors} null = plain clone per job; its checkout (files outside {@code .git}) may hold at most
   * {@code checkoutBytes} (0 = no bound), else the job fails as POLICY_VIOLATION and the workspace goes with
   * it. The mirror cache enforces its own bound before writing. {@code kept} null (or no mirrors) = a fresh
   * checkout per job.
   */
  CloneStep(ValidationPolicy policy, GitCredentials credentials, GitMirrorCache mirrors, KeptSources kept,
      long checkoutBytes) {
    this.policy = policy;
    this.credentials = credentials;
    this.mirrors = mirrors;
    this.kept = mirrors == null ? null : kept;
    this.checkoutBytes = checkoutBytes;
  }

  /** The URL cloned for a job (no credentials in it). */
  URI cloneUrl(JobSpec spec) {
    return policy.cloneUrl(spec.request().repoUrl());
  }

  /** The tree this worker keeps for the job's repository, to check out into; null = the job's own directory. */
  java.nio.file.Path keptTree(JobSpec spec) {
    return kept == null ? null : kept.dirFor(cloneUrl(spec));
  }

  Checkout run(JobSpec spec, StepControl control, Workspace ws) throws JobFailure {
    URI url = cloneUrl(spec);
    String commit = spec.commitOrEmpty();
    control.log("cloning " + url + (commit.isEmpty() ? " branch " + spec.request().branch() : " commit " + commit));
    if (mirrors != null) {
      return fromMirror(spec, control, url, ws);
    }
    String sha = clone(spec, control, url, ws);
    checkBound(ws);
    return new Checkout(sha, null);
  }

  /** The plain clone's files (not {@code .git}, symlinks not followed) against {@code checkoutBytes}. */
  private void checkBound(Workspace ws) throws JobFailure {
    if (checkoutBytes <= 0) {
      return;
    }
    java.nio.file.Path root = ws.checkout();
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(root)) {
      long total = files.filter(p -> !root.relativize(p).startsWith(".git"))
          .filter(p -> java.nio.file.Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
          .mapToLong(p -> p.toFile().length())
          .sum();
      if (total > checkoutBytes) {
        throw new PolicyFailure("the checkout holds " + total + " bytes, more than the " + checkoutBytes
            + " bytes this worker allows (--max-checkout-bytes)");
      }
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      throw new PolicyFailure("the checkout could not be measured: " + e.getClass().getSimpleName());
    }
  }

  private Checkout fromMirror(JobSpec spec, StepControl control, URI url, Workspace ws) throws JobFailure {
    try {
      GitMirrorCache.Result r = mirrors.checkout(url, spec.request().branch(), spec.commitOrEmpty(),
          credentials.provider(), ws.checkout(), control::isStopped, control.deadline(), control::log);
      control.checkStopped();
      control.log("checked out " + r.sha() + " from the git cache (mirror " + (r.hit() ? "hit" : "miss") + ", fetched "
          + r.bytesFetched() + " bytes, " + r.objectsFetched() + " objects); " + describe(r.tree()));
      if (kept != null) {
        kept.evict(ws.checkout(), control::log);
      }
      return new Checkout(r.sha(), r);
    } catch (TreeExport.UnsafeTreeException e) {
      throw new PolicyFailure(e.getMessage());
    } catch (GitAPIException | JGitInternalException | java.io.IOException e) {
      control.checkStopped();
      throw ErrorClassifier.git(e);
    }
  }

  private String describe(SourceTree.Synced t) {
    String what = t.incremental() ? "kept source tree updated: " + t.written() + " paths written, " + t.removed()
        + " removed" : (kept != null ? "kept source tree written whole: " : "tree written: ") + t.written() + " paths";
    return what + ", " + t.bytes() + " bytes of files";
  }

  private String clone(JobSpec spec, StepControl control, URI url, Workspace ws) throws JobFailure {
    String commit = spec.commitOrEmpty();
    try (Git git = commit.isEmpty() ? cloneBranch(spec, control, url, ws) : fetchCommit(commit, control, url, ws)) {
      control.checkStopped();
      ObjectId head = git.getRepository().resolve("HEAD");
      if (head == null) {
        throw new GitFailure(ErrorKind.BRANCH_NOT_FOUND, "branch or commit not found: nothing checked out", null);
      }
      control.log("checked out " + head.name());
      return head.name();
    } catch (GitAPIException | JGitInternalException | java.io.IOException e) {
      control.checkStopped();
      throw ErrorClassifier.git(e);
    }
  }

  private Git cloneBranch(JobSpec spec, StepControl control, URI url, Workspace ws) throws GitAPIException {
    String ref = "refs/heads/" + spec.request().branch();
    CloneCommand clone = Git.cloneRepository()
        .setURI(url.toString())
        .setDirectory(ws.checkout().toFile())
        .setBranch(ref)
        .setBranchesToClone(List.of(ref))
        .setCloneAllBranches(false)
        .setCloneSubmodules(false)
        .setDepth(1)
        .setNoTags()
        .setProgressMonitor(new StopMonitor(control::isStopped))
        .setCredentialsProvider(credentials.provider());
    return clone.call();
  }

  private Git fetchCommit(String sha, StepControl control, URI url, Workspace ws)
      throws GitAPIException, java.io.IOException {
    Git git = Git.init().setDirectory(ws.checkout().toFile()).setInitialBranch("blacktree").call();
    boolean ok = false;
    try {
      git.remoteAdd().setName("origin").setUri(remote(url)).call();
      git.fetch()
          .setRemote("origin")
          .setRefSpecs(new RefSpec(sha + ":refs/remotes/origin/target"))
          .setDepth(1)
          .setTagOpt(TagOpt.NO_TAGS)
          .setProgressMonitor(new StopMonitor(control::isStopped))
          .setCredentialsProvider(credentials.provider())
          .call();
      if (!control.isStopped()) {
        git.checkout().setName(sha).call();
      }
      ok = true;
      return git;
    } finally {
      if (!ok) {
        git.close();
      }
    }
  }

  private static URIish remote(URI url) throws InvalidRemoteException {
    try {
      return new URIish(url.toString());
    } catch (java.net.URISyntaxException e) {
      throw new InvalidRemoteException("invalid repository URL");
    }
  }

  /** Lets JGit stop a transfer when the job is stopped. */
  private static final class StopMonitor extends EmptyProgressMonitor {
    private final BooleanSupplier stopped;

    StopMonitor(BooleanSupplier stopped) {
      this.stopped = stopped;
    }

    @Override
    public boolean isCancelled() {
      return stopped.getAsBoolean();
    }
  }
}
