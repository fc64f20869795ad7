package io.blacktree.worker;

import io.blacktree.core.ErrorKind;

/**
 * Why a job step failed, classified into one {@link ErrorKind}. Subclasses name the integration the failure
 * came from. Messages are written by us, never copied from a credential-bearing source, and are redacted
 * again before they reach a response.
 */
public class JobFailure extends Exception {
  private final ErrorKind kind;

  public JobFailure(ErrorKind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public JobFailure(ErrorKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public ErrorKind kind() {
    return kind;
  }

  /** Cloning or fetching failed. */
  public static final class GitFailure extends JobFailure {
    public GitFailure(ErrorKind kind, String message, Throwable cause) {
      super(kind, message, cause);
    }
  }

  /** The Docker engine refused or failed the build, or could not be reached. */
  public static final class DockerFailure extends JobFailure {
    public DockerFailure(ErrorKind kind, String message, Throwable cause) {
      super(kind, message, cause);
    }
  }

  /** Registry login, probe or push failed. */
  public static final class RegistryFailure extends JobFailure {
    public RegistryFailure(ErrorKind kind, String message, Throwable cause) {
      super(kind, message, cause);
    }
  }

  /** The request names something the worker refuses to touch (path escape, symlink out of the checkout). */
  public static final class PolicyFailure extends JobFailure {
    public PolicyFailure(String message) {
      super(ErrorKind.POLICY_VIOLATION, message);
    }
  }

  /** The job was stopped: cancelled, out of time, or orphaned. */
  public static final class Stopped extends JobFailure {
    public Stopped(ErrorKind kind, String message) {
      super(kind, message);
    }
  }
}
