package io.blacktree.core;

/**
 * Why a job did not succeed: one enum everywhere (worker, activities, workflow, results). The workflow's
 * {@code ApplicationFailure} type is {@link #name()}; the worker's proto enum mirrors it by name.
 */
public enum ErrorKind {
  INVALID_REQUEST(Category.PERMANENT),
  /** Path escape, refused build arg, disallowed host or account. */
  POLICY_VIOLATION(Category.PERMANENT),
  REPO_NOT_FOUND(Category.PERMANENT),
  BRANCH_NOT_FOUND(Category.PERMANENT),
  DOCKERFILE_MISSING(Category.PERMANENT),
  /** The user's Dockerfile failed. */
  BUILD_FAILED(Category.PERMANENT),
  REGISTRY_AUTH_DENIED(Category.PERMANENT),
  /** The version tag already holds another image; deployment versions are immutable. */
  TAG_EXISTS(Category.PERMANENT),

  GIT_UNAVAILABLE(Category.TRANSIENT),
  REGISTRY_UNAVAILABLE(Category.TRANSIENT),
  DOCKER_UNAVAILABLE(Category.TRANSIENT),
  WORKER_LOST(Category.TRANSIENT),
  WORKER_BUSY(Category.TRANSIENT),
  /** Retried on another worker. */
  DISK_FULL(Category.TRANSIENT),
  /** Anything not classified: retried, and worth a bug report. */
  INTERNAL(Category.TRANSIENT),

  TIMED_OUT(Category.TERMINAL),
  NO_WORKER(Category.TERMINAL),
  CANCELLED(Category.TERMINAL);

  /** How the workflow treats a kind. */
  public enum Category {
    /** Retrying cannot help: fail the job now. */
    PERMANENT,
    /** Retry, preferably on another worker. */
    TRANSIENT,
    /** Ends the job without retry; not the user's input's fault. */
    TERMINAL
  }

  private final Category category;

  ErrorKind(Category category) {
    this.category = category;
  }

  public Category category() {
    return category;
  }

  public boolean retryable() {
    return category == Category.TRANSIENT;
  }

  /** The kinds the workflow must not retry (for activity {@code doNotRetry} lists). */
  public static String[] nonRetryableTypes() {
    return java.util.Arrays.stream(values())
        .filter(k -> !k.retryable())
        .map(Enum::name)
        .toArray(String[]::new);
  }

  /** Parses a kind by name; unknown or null names are {@link #INTERNAL}. */
  public static ErrorKind parse(String name) {
    if (name == null) {
      return INTERNAL;
    }
    try {
      return valueOf(name);
    } catch (IllegalArgumentException e) {
      return INTERNAL;
    }
  }
}
