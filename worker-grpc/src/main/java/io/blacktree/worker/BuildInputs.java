package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.Names;
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

  static BuildInputs of(JobSpec spec, Workspace ws, Revision revision) throws JobFailure {
    Path checkout = ws.checkout();
    Path context = CheckoutPaths.resolveInside(checkout, "context", spec.contextPath());
    Path dockerfile = CheckoutPaths.resolveInside(checkout, "dockerfile", spec.dockerfilePath());
    if (!Files.isDirectory(context)) {
      throw new JobFailure(ErrorKind.DOCKERFILE_MISSING, "context directory '" + spec.contextPath() + "' not found");
    }
    if (!Files.isRegularFile(dockerfile)) {
      throw new JobFailure(ErrorKind.DOCKERFILE_MISSING,
          "Dockerfile '" + spec.dockerfilePath() + "' not found in the checkout");
    }
    return new BuildInputs(context, dockerfile, labels(spec, revision));
  }

  private static Map<String, String> labels(JobSpec spec, Revision revision) {
    Map<String, String> labels = new HashMap<>();
    labels.put("org.opencontainers.image.source", revision.cloneUrl().toString());
    labels.put("org.opencontainers.image.revision", revision.sha());
    labels.put("org.opencontainers.image.version", spec.request().deploymentVersion());
    labels.put("org.opencontainers.image.created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    labels.put(Names.LABEL_WORKFLOW_ID, spec.workflowId());
    return labels;
  }
}
