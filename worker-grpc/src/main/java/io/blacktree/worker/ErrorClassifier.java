package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.worker.JobFailure.DockerFailure;
import io.blacktree.worker.JobFailure.GitFailure;
import io.blacktree.worker.JobFailure.RegistryFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Maps library exceptions (JGit, docker-java, registry push errors) to {@link ErrorKind}s, by type first and
 * by the libraries' known messages where the type says too little (a JGit TransportException for a missing
 * branch, a docker-java DockerClientException for a failed RUN; docs/errors.md). Messages of the result are our
 * own words plus the library's message; the caller redacts them.
 */
final class ErrorClassifier {
  /** A status 401/403 in a message, not digits of a port or an address ({@code 127.0.0.1:40343}). */
  private static final java.util.regex.Pattern AUTH_STATUS =
      java.util.regex.Pattern.compile("(?<![0-9:.])40[13](?![0-9])");
  /** The engine's words for a failed connection to the registry ({@code dial tcp ...: connection reset}). */
  private static final java.util.regex.Pattern TRANSPORT_ERROR = java.util.regex.Pattern.compile(
      "dial tcp|connection reset|connection refused|broken pipe|i/o timeout|unexpected eof|: eof$");

  private ErrorClassifier() {}

  /** A JGit clone/fetch failure. */
  static GitFailure git(Exception e) {
    String msg = messages(e);
    ErrorKind kind;
    if (e instanceof org.eclipse.jgit.api.errors.InvalidRemoteException && !hasNetworkCause(e)) {
      kind = ErrorKind.REPO_NOT_FOUND;
    } else if (msg.contains("remote branch") && msg.contains("not found")
        || msg.contains("want ") && (msg.contains("not valid") || msg.contains("not our ref"))
        || msg.contains("missing commit") || msg.contains("missing unknown")
        || msg.contains("available for fetch")) {
      kind = ErrorKind.BRANCH_NOT_FOUND;
    } else if (hasNetworkCause(e) || msg.contains("connection refused") || msg.contains("connect timed out")
        || msg.contains("unknownhost") || msg.contains("timed out") || msg.contains("connection reset")
        || msg.contains(" 50") && msg.contains("http")) {
      kind = ErrorKind.GIT_UNAVAILABLE;
    } else if (msg.contains("not found") || msg.contains("not exported") || msg.contains("no such repository")
        || msg.contains("not authorized") || msg.contains("authentication is required")
        || msg.contains("does not appear to be a git repository") || msg.contains("repository not found")) {
      kind = ErrorKind.REPO_NOT_FOUND;
    } else if (msg.contains("no space left")) {
      kind = ErrorKind.DISK_FULL;
    } else {
      kind = ErrorKind.GIT_UNAVAILABLE;
    }
    return new GitFailure(kind, describe(kind) + ": " + firstMessage(e), e);
  }

  /** A docker-java failure during build (the message is the daemon's error line when there is one). */
  static DockerFailure build(Throwable e) {
    String msg = messages(e);
    ErrorKind kind;
    if (msg.contains("no space left on device")) {
      kind = ErrorKind.DISK_FULL;
    } else if (hasNetworkCause(e) || msg.contains("connection refused") || msg.contains("broken pipe")) {
      kind = ErrorKind.DOCKER_UNAVAILABLE;
    } else if (msg.contains("cannot locate specified dockerfile")) {
      kind = ErrorKind.DOCKERFILE_MISSING;
    } else if (msg.contains("returned a non-zero code") || msg.contains("copy failed")
        || msg.contains("dockerfile parse error") || msg.contains("unknown instruction")
        || msg.contains("requires buildkit") || msg.contains("unknown flag")
        || msg.contains("could not build image") || msg.contains("failed to") || isBadRequest(e)) {
      kind = ErrorKind.BUILD_FAILED;
    } else {
      kind = ErrorKind.INTERNAL;
    }
    return new DockerFailure(kind, describe(kind) + ": " + firstMessage(e), e);
  }

  /** A local file-system failure of the worker (workspace, build context): a full disk, or a fault of ours. */
  static ErrorKind localIo(java.io.IOException e) {
    return messages(e).contains("no space left") ? ErrorKind.DISK_FULL : ErrorKind.INTERNAL;
  }

  /** A RUN step killed by SIGKILL: the engine's words for exit code 137. */
  private static final java.util.regex.Pattern KILLED =
      java.util.regex.Pattern.compile("returned a non-zero code: 137(?![0-9])");

  /** True if {@code message} says a RUN step was killed (exit 137: OOM kill, or the engine shutting down). */
  static boolean killedRun(String message) {
    return message != null && KILLED.matcher(message).find();
  }

  /**
   * A build failure seen again with what the engine did meanwhile: a RUN killed (137) or an unexplained
   * ({@code INTERNAL}) failure that the engine caused (it was unreachable at some point during or just after the
   * build, or it killed the RUN container itself, as its shutdown does: see {@link EngineWatch}) is
   * {@code DOCKER_UNAVAILABLE} (transient); a 137 the engine did not cause (the user's command OOM-killed)
   * stays {@code BUILD_FAILED}. {@code engineInterrupted} is only asked for those two cases.
   */
  static DockerFailure afterEngineCheck(DockerFailure failure, String buildError,
      java.util.function.BooleanSupplier engineInterrupted) {
    boolean candidate = failure.kind() == ErrorKind.INTERNAL
        || failure.kind() == ErrorKind.BUILD_FAILED && (killedRun(failure.getMessage()) || killedRun(buildError));
    if (!candidate || !engineInterrupted.getAsBoolean()) {
      return failure;
    }
    String detail = failure.getMessage().startsWith(describe(failure.kind()) + ": ")
        ? failure.getMessage().substring(describe(failure.kind()).length() + 2) : failure.getMessage();
    return new DockerFailure(ErrorKind.DOCKER_UNAVAILABLE, describe(ErrorKind.DOCKER_UNAVAILABLE)
        + " (the engine stopped or restarted during the build): " + detail, failure.getCause());
  }

  /** Any other docker-java failure (tag, inspect, push transport): unreachable engine or internal. */
  static DockerFailure engine(Throwable e) {
    String msg = messages(e);
    ErrorKind kind = msg.contains("no space left on device") ? ErrorKind.DISK_FULL
        : hasNetworkCause(e) || msg.contains("connection refused") ? ErrorKind.DOCKER_UNAVAILABLE
        : ErrorKind.INTERNAL;
    return new DockerFailure(kind, describe(kind) + ": " + firstMessage(e), e);
  }

  /** An error the daemon reported in a push's progress stream. */
  static RegistryFailure push(String errorMessage) {
    String msg = errorMessage == null ? "" : errorMessage.toLowerCase(Locale.ROOT);
    ErrorKind kind;
    if (TRANSPORT_ERROR.matcher(msg).find()) {
      kind = ErrorKind.REGISTRY_UNAVAILABLE; // the registry's link failed: says nothing about the credentials
    } else if (msg.contains("unauthorized") || msg.contains("authentication required") || msg.contains("denied")
        || msg.contains("no basic auth credentials") || AUTH_STATUS.matcher(msg).find()) {
      kind = ErrorKind.REGISTRY_AUTH_DENIED;
    } else if (msg.contains("no space left")) {
      kind = ErrorKind.DISK_FULL;
    } else {
      kind = ErrorKind.REGISTRY_UNAVAILABLE;
    }
    return new RegistryFailure(kind, describe(kind) + ": " + errorMessage, null);
  }

  static boolean hasNetworkCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof UnknownHostException
          || t instanceof SocketException || t instanceof java.nio.channels.ClosedChannelException) {
        return true;
      }
      if (t instanceof IOException && String.valueOf(t.getMessage()).contains("No such file or directory")) {
        return true; // unix socket missing
      }
    }
    return false;
  }

  private static boolean isBadRequest(Throwable e) {
    return e.getClass().getName().equals("com.github.dockerjava.api.exception.BadRequestException");
  }

  private static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }

  private static String firstMessage(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.strip();
  }

  static String describe(ErrorKind kind) {
    return switch (kind) {
      case REPO_NOT_FOUND -> "repository not found (or access denied)";
      case BRANCH_NOT_FOUND -> "branch or commit not found";
      case GIT_UNAVAILABLE -> "git host unavailable";
      case BUILD_FAILED -> "build failed";
      case DOCKERFILE_MISSING -> "Dockerfile missing";
      case DOCKER_UNAVAILABLE -> "Docker engine unavailable";
      case DISK_FULL -> "disk full";
      case REGISTRY_AUTH_DENIED -> "registry denied the credentials";
      case REGISTRY_UNAVAILABLE -> "registry unavailable";
      default -> kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    };
  }
}
