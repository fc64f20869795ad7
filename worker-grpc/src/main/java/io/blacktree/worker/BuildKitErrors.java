package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.worker.JobFailure.DockerFailure;
import io.blacktree.worker.JobFailure.RegistryFailure;
import java.util.List;
import java.util.Locale;

/**
 * Classifies a failed {@code buildctl build} by its last output lines: the user's Dockerfile (a RUN that exited
 * non-zero, a parse error, a missing COPY source) is BUILD_FAILED; the push's registry refusing credentials is
 * REGISTRY_AUTH_DENIED, an unreachable registry REGISTRY_UNAVAILABLE; an unreachable buildkitd is
 * DOCKER_UNAVAILABLE (the builder is down: retried elsewhere); a full disk DISK_FULL. An image the build
 * cannot resolve (its FROM) is BUILD_FAILED. The reason is buildctl's
 * own {@code error:} line.
 */
final class BuildKitErrors {
  private BuildKitErrors() {}

  static JobFailure classify(List<String> tail, int exitCode) {
    String reason = reason(tail, exitCode);
    String text = String.join("\n", tail).toLowerCase(Locale.ROOT);
    if (text.contains("no space left on device")) {
      return new DockerFailure(ErrorKind.DISK_FULL, "build failed: " + reason, null);
    }
    if (text.contains("listing workers") || text.contains("failed to dial") || text.contains("buildkitd.sock")
        && text.contains("connection refused") || text.contains("connection error: desc")) {
      return new DockerFailure(ErrorKind.DOCKER_UNAVAILABLE, "buildkitd unreachable: " + reason, null);
    }
    // A base image that cannot be resolved ("failed to resolve source metadata", e.g. a FROM offline) is the
    // Dockerfile's: BUILD_FAILED, like the engine's failed FROM.
    boolean pushing = text.contains("failed to push") || text.contains("pushing manifest")
        || text.contains("failed to do request") && !text.contains("failed to resolve source metadata");
    if (pushing && (text.contains("401 unauthorized") || text.contains("403 forbidden")
        || text.contains("unauthorized") || text.contains("authorization failed")
        || text.contains("no basic auth credentials"))) {
      return new RegistryFailure(ErrorKind.REGISTRY_AUTH_DENIED, "registry denied the push: " + reason, null);
    }
    if (pushing) {
      return new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE, "push failed: " + reason, null);
    }
    return new DockerFailure(ErrorKind.BUILD_FAILED, "build failed: " + reason, null);
  }

  /**
   * The push failed because the registry refused a layer upload it took twice at once, from the image push and
   * from the registry cache export of the same solve (the distribution registry answers one of them "provided
   * digest did not match uploaded content" or "blob unknown to registry"): not the registry being down.
   */
  static boolean uploadRace(List<String> tail) {
    String text = String.join("\n", tail).toLowerCase(Locale.ROOT);
    return text.contains("failed to push") && (text.contains("provided digest did not match uploaded content")
        || text.contains("blob unknown to registry"));
  }

  /** buildctl's last {@code error:} line without its prefix, else the last line, else the exit code. */
  static String reason(List<String> tail, int exitCode) {
    for (int i = tail.size() - 1; i >= 0; i--) {
      String line = tail.get(i).strip();
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("error:")) {
        return line.substring("error:".length()).strip();
      }
    }
    for (int i = tail.size() - 1; i >= 0; i--) {
      if (!tail.get(i).isBlank()) {
        return tail.get(i).strip();
      }
    }
    return "buildctl exited with code " + exitCode;
  }
}
