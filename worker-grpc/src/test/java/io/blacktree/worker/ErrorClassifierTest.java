package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.DockerClientException;
import io.blacktree.core.ErrorKind;
import java.net.ConnectException;
import java.net.SocketException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.junit.jupiter.api.Test;

class ErrorClassifierTest {
  @Test
  void git_invalidRemote_repoNotFound() {
    assertThat(ErrorClassifier.git(new InvalidRemoteException("Invalid remote: origin")).kind())
        .isEqualTo(ErrorKind.REPO_NOT_FOUND);
  }

  @Test
  void git_remoteBranchNotFound_branchNotFound() {
    assertThat(ErrorClassifier.git(new TransportException("Remote branch 'nope' not found in upstream origin")).kind())
        .isEqualTo(ErrorKind.BRANCH_NOT_FOUND);
  }

  @Test
  void git_notExported_repoNotFound() {
    assertThat(ErrorClassifier.git(new TransportException("git://h/x: repository not exported")).kind())
        .isEqualTo(ErrorKind.REPO_NOT_FOUND);
  }

  @Test
  void git_connectionRefused_gitUnavailableAndRetryable() {
    JobFailure f = ErrorClassifier.git(new TransportException("git://127.0.0.1:1/x: cannot open",
        new ConnectException("Connection refused")));
    assertThat(f.kind()).isEqualTo(ErrorKind.GIT_UNAVAILABLE);
    assertThat(f.kind().retryable()).isTrue();
  }

  @Test
  void build_nonZeroRun_buildFailed() {
    assertThat(ErrorClassifier.build(new DockerClientException(
        "Could not build image: The command '/bin/sh -c false' returned a non-zero code: 3")).kind())
        .isEqualTo(ErrorKind.BUILD_FAILED);
  }

  @Test
  void build_parseError_buildFailed() {
    assertThat(ErrorClassifier.build(new BadRequestException("dockerfile parse error line 1: unknown instruction: FOO"))
        .kind()).isEqualTo(ErrorKind.BUILD_FAILED);
  }

  @Test
  void build_buildKitOnlyOption_buildFailedNotRetried() {
    assertThat(ErrorClassifier.build(new IllegalStateException("the --mount option requires BuildKit. Refer to "
        + "https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled")).kind())
        .isEqualTo(ErrorKind.BUILD_FAILED);
  }

  @Test
  void build_cannotLocateDockerfile_dockerfileMissing() {
    assertThat(ErrorClassifier.build(new RuntimeException("Status 500: Cannot locate specified Dockerfile: x")).kind())
        .isEqualTo(ErrorKind.DOCKERFILE_MISSING);
  }

  @Test
  void build_socketException_dockerUnavailable() {
    assertThat(ErrorClassifier.build(new RuntimeException(new SocketException("Connection reset"))).kind())
        .isEqualTo(ErrorKind.DOCKER_UNAVAILABLE);
  }

  @Test
  void build_noSpaceLeft_diskFull() {
    assertThat(ErrorClassifier.build(new DockerClientException("write /var/lib/docker/x: no space left on device"))
        .kind()).isEqualTo(ErrorKind.DISK_FULL);
  }

  @Test
  void localIo_noSpaceLeft_diskFull_otherwiseInternal() {
    assertThat(ErrorClassifier.localIo(new java.io.IOException("No space left on device"))).isEqualTo(ErrorKind.DISK_FULL);
    assertThat(ErrorClassifier.localIo(new java.nio.file.FileSystemException("/w/job-1", null, "No space left on device")))
        .isEqualTo(ErrorKind.DISK_FULL);
    assertThat(ErrorClassifier.localIo(new java.nio.file.AccessDeniedException("/w/job-1"))).isEqualTo(ErrorKind.INTERNAL);
  }

  @Test
  void push_unauthorized_registryAuthDenied() {
    assertThat(ErrorClassifier.push("unauthorized: authentication required").kind())
        .isEqualTo(ErrorKind.REGISTRY_AUTH_DENIED);
  }

  @Test
  void push_otherError_registryUnavailable() {
    assertThat(ErrorClassifier.push("received unexpected HTTP status: 502 Bad Gateway").kind())
        .isEqualTo(ErrorKind.REGISTRY_UNAVAILABLE);
  }

  @Test
  void push_connectionResetOnPortWith403InIt_registryUnavailable() {
    assertThat(ErrorClassifier.push("Get \"http://127.0.0.1:40343/v2/\": dial tcp 127.0.0.1:40343: connect: "
        + "connection reset by peer").kind()).isEqualTo(ErrorKind.REGISTRY_UNAVAILABLE);
  }

  @Test
  void push_forbiddenStatus_registryAuthDenied() {
    assertThat(ErrorClassifier.push("received unexpected HTTP status: 403 Forbidden").kind())
        .isEqualTo(ErrorKind.REGISTRY_AUTH_DENIED);
  }

  @Test
  void push_portContaining401_notAuthDenied() {
    assertThat(ErrorClassifier.push("received unexpected HTTP status: 500 from 127.0.0.1:40199").kind())
        .isEqualTo(ErrorKind.REGISTRY_UNAVAILABLE);
  }

  @Test
  void git_invalidRemoteCausedByConnectionReset_gitUnavailable() {
    InvalidRemoteException e = new InvalidRemoteException("Invalid remote: origin");
    e.initCause(new TransportException("git://127.0.0.1:1/acme/app", new SocketException("Connection reset")));
    assertThat(ErrorClassifier.git(e).kind()).isEqualTo(ErrorKind.GIT_UNAVAILABLE);
  }

  private static final String KILLED =
      "Could not build image: The command '/bin/busybox sh -c sleep 15' returned a non-zero code: 137";

  @Test
  void afterEngineCheck_killedWhileEngineUnreachable_dockerUnavailableAndRetryable() {
    JobFailure f = ErrorClassifier.afterEngineCheck(ErrorClassifier.build(new DockerClientException(KILLED)), null,
        () -> true);
    assertThat(f.kind()).isEqualTo(ErrorKind.DOCKER_UNAVAILABLE);
    assertThat(f.kind().retryable()).isTrue();
    assertThat(f.getMessage()).contains("returned a non-zero code: 137");
  }

  @Test
  void afterEngineCheck_killedWithHealthyEngine_buildFailed() {
    JobFailure f = ErrorClassifier.afterEngineCheck(ErrorClassifier.build(new DockerClientException(KILLED)), null,
        () -> false);
    assertThat(f.kind()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(f.kind().retryable()).isFalse();
  }

  @Test
  void afterEngineCheck_otherExitCodeWhileEngineUnreachable_buildFailedEngineNotAsked() {
    JobFailure f = ErrorClassifier.afterEngineCheck(ErrorClassifier.build(new DockerClientException(
        "Could not build image: The command '/bin/sh -c exit 1' returned a non-zero code: 1370")), null, () -> {
          throw new AssertionError("engine asked for a non-137 failure");
        });
    assertThat(f.kind()).isEqualTo(ErrorKind.BUILD_FAILED);
  }

  @Test
  void afterEngineCheck_streamErrorAfterKilledLineWhileEngineUnreachable_dockerUnavailable() {
    JobFailure f = ErrorClassifier.afterEngineCheck(
        ErrorClassifier.build(new RuntimeException("stream ended unexpectedly")), KILLED, () -> true);
    assertThat(f.kind()).isEqualTo(ErrorKind.DOCKER_UNAVAILABLE);
  }

  @Test
  void afterEngineCheck_dockerfileParseErrorWhileEngineUnreachable_buildFailed() {
    JobFailure f = ErrorClassifier.afterEngineCheck(ErrorClassifier.build(
        new BadRequestException("dockerfile parse error line 1: unknown instruction: FOO")), null, () -> true);
    assertThat(f.kind()).isEqualTo(ErrorKind.BUILD_FAILED);
  }
}
