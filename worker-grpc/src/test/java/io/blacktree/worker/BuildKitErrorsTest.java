package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.ErrorKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuildKitErrorsTest {
  @Test
  void classify_runExitedNonZero_buildFailedWithBuildctlsErrorLine() {
    JobFailure f = BuildKitErrors.classify(List.of("#6 ERROR: process \"/bin/busybox sh -c exit 3\" did not "
        + "complete successfully: exit code: 3", "error: failed to solve: process \"/bin/busybox sh -c exit 3\" "
        + "did not complete successfully: exit code: 3"), 1);

    assertThat(f.kind()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(f.getMessage()).isEqualTo("build failed: failed to solve: process \"/bin/busybox sh -c exit 3\" "
        + "did not complete successfully: exit code: 3");
  }

  @Test
  void classify_pushUnauthorized_registryAuthDenied() {
    JobFailure f = BuildKitErrors.classify(List.of("#8 pushing layers", "error: failed to solve: failed to push "
        + "127.0.0.1:5001/x: unexpected status from HEAD request: 401 Unauthorized"), 1);

    assertThat(f.kind()).isEqualTo(ErrorKind.REGISTRY_AUTH_DENIED);
  }

  @Test
  void uploadRace_registryRefusedALayerUploadedTwiceAtOnce_true() {
    // the tail of a cold build whose image push and cache export uploaded the same new layer at the same moment
    List<String> tail = List.of("#11 ERROR: failed to push 127.0.0.1:5000/bench/tiny: errors:",
        "unknown: provided digest did not match uploaded content",
        "unknown: blob unknown to registry - sha256:47d39eea0e68f1211bd6508938414d86a065de294ddbb581bc90799cd6416549",
        "#12 ERROR: error writing layer blob: context canceled",
        "error: failed to solve: failed to push 127.0.0.1:5000/bench/tiny: errors:");

    assertThat(BuildKitErrors.uploadRace(tail)).isTrue();
    assertThat(BuildKitErrors.classify(tail, 1).kind()).isEqualTo(ErrorKind.REGISTRY_UNAVAILABLE);
  }

  @Test
  void uploadRace_registryDownOrBuildFailed_false() {
    assertThat(BuildKitErrors.uploadRace(List.of("error: failed to solve: failed to push 127.0.0.1:5999/x: "
        + "failed to do request: dial tcp: connection refused"))).isFalse();
    assertThat(BuildKitErrors.uploadRace(List.of("error: failed to solve: process \"/bin/sh -c exit 3\" did not "
        + "complete successfully: exit code: 3"))).isFalse();
  }

  @Test
  void classify_pushConnectionRefused_registryUnavailable() {
    JobFailure f = BuildKitErrors.classify(List.of("error: failed to solve: failed to push 127.0.0.1:5999/x: "
        + "failed to do request: Head \"http://127.0.0.1:5999/v2/x/blobs/sha256:1\": dial tcp: connection refused"), 1);

    assertThat(f.kind()).isEqualTo(ErrorKind.REGISTRY_UNAVAILABLE);
  }

  @Test
  void classify_syntaxFrontendUnresolvableOffline_buildFailedNamingTheImage() {
    JobFailure f = BuildKitErrors.classify(List.of("error: failed to solve: failed to resolve source metadata for "
        + "docker.io/docker/dockerfile:1: failed to do request: Head \"https://registry-1.docker.io/v2/docker/"
        + "dockerfile/manifests/1\": dial tcp: lookup registry-1.docker.io: no such host"), 1);

    assertThat(f.kind()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(f.getMessage()).contains("docker.io/docker/dockerfile:1");
  }

  @Test
  void classify_buildkitdDown_dockerUnavailable() {
    JobFailure f = BuildKitErrors.classify(List.of("error: listing workers for Build: failed to list workers: "
        + "Unavailable: connection error: desc = transport: Error while dialing: dial unix /x/buildkitd.sock: "
        + "connect: connection refused"), 1);

    assertThat(f.kind()).isEqualTo(ErrorKind.DOCKER_UNAVAILABLE);
    assertThat(f.kind().retryable()).isTrue();
  }

  @Test
  void reason_noErrorLine_lastLineOrExitCode() {
    assertThat(BuildKitErrors.reason(List.of("first", "last", " "), 2)).isEqualTo("last");
    assertThat(BuildKitErrors.reason(List.of(), 2)).isEqualTo("buildctl exited with code 2");
  }
}
