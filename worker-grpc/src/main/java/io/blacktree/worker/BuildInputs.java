package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.Names;
import io.blacktree.proto.worker.v1.JobRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * What every builder builds from: the context directory and Dockerfile of the request, both resolved inside
 * the checkout (no {@code ..}, no symlink out; {@link CheckoutPaths}) and present, and the OCI labels every
 * image gets (source, revision, version, created, and the workflow ID label).
 */
record BuildInputs(Path context, Path dockerfile, Map<String, String> labels) {
  BuildInputs {
    labels = Map.copyOf(labels);
  }

  static BuildInputs of(JobRequest req, Workspace ws, String sha, String source) throws JobFailure {
    Path checkout = ws.checkout();
    Path context = CheckoutPaths.resolveInside(checkout, "context", orDefault(req.getContext(), "."));
    Path dockerfile = CheckoutPaths.resolveInside(checkout, "dockerfile", orDefault(req.getDockerfile(), "Dockerfile"));
    if (!Files.isDirectory(context)) {
      throw new JobFailure(ErrorKind.DOCKERFILE_MISSING, "context directory '" + req.getContext() + "' not found");
    }
    if (!Files.isRegularFile(dockerfile)) {
      throw new JobFailure(ErrorKind.DOCKERFILE_MISSING,
          "Dockerfile '" + orDefault(req.getDockerfile(), "Dockerfile") + "' not found in the checkout");
    }
    return new BuildInputs(context, dockerfile, labels(req, sha, source));
  }

  private static Map<String, String> labels(JobRequest req, String sha, String source) {
    Map<String, String> labels = new HashMap<>();
    labels.put("org.opencontainers.image.source", source);
    labels.put("org.opencontainers.image.revision", sha);
    labels.put("org.opencontainers.image.version", req.getDeploymentVersion());
    labels.put("org.opencontainers.image.created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    labels.put(Names.LABEL_WORKFLOW_ID, WorkflowIds.of(req));
    return labels;
  }

  private static String orDefault(String v, String d) {
    return v == null || v.isEmpty() ? d : v;
  }
}
