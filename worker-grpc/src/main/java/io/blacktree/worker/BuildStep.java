package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.model.BuildResponseItem;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.Names;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.worker.JobFailure.DockerFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Builds the checkout's Dockerfile with the classic builder: the context and Dockerfile must resolve inside
 * the checkout (no {@code ..}, no symlink out), the context is streamed as our own tar without {@code .git},
 * build args and OCI labels (source, revision, version, created, and the workflow ID label) are set, and
 * intermediate containers are always removed ({@code forcerm}). Every output line becomes a job event. The
 * image is tagged with a local name only; {@link PushStep} adds the registry tags. Returns the image ID.
 */
final class BuildStep {
  static final String LOCAL_REPO_PREFIX = "blacktree-local/";
  private final DockerClient docker;

  BuildStep(DockerClient docker) {
    this.docker = docker;
  }

  String run(Job job, Workspace ws, String sha, String source) throws JobFailure {
    JobRequest req = job.request();
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
    String dockerfileInTar = writeContext(ws, context, dockerfile);
    job.checkStopped();
    return build(job, ws, dockerfileInTar, labels(req, sha, source));
  }

  private static String writeContext(Workspace ws, Path context, Path dockerfile) throws JobFailure {
    try (OutputStream out = Files.newOutputStream(ws.contextTar())) {
      return ContextTar.write(context, dockerfile, out);
    } catch (IOException e) {
      ErrorKind kind = String.valueOf(e.getMessage()).contains("No space left") ? ErrorKind.DISK_FULL : ErrorKind.INTERNAL;
      throw new JobFailure(kind, "could not write the build context: " + e.getMessage(), e);
    }
  }

  private String build(Job job, Workspace ws, String dockerfileInTar, Map<String, String> labels) throws JobFailure {
    JobRequest req = job.request();
    Callback callback = new Callback(job);
    try (InputStream tar = Files.newInputStream(ws.contextTar())) {
      var cmd = docker.buildImageCmd()
          .withTarInputStream(tar)
          .withDockerfilePath(dockerfileInTar)
          .withTags(Set.of(localTag(req)))
          .withLabels(labels)
          .withForcerm(true)
          .withRemove(true)
          .withPull(false);
      req.getBuildArgsMap().forEach(cmd::withBuildArg);
      job.setStopHook(callback);
      cmd.exec(callback);
      long waitMillis = Math.max(1, job.deadline().toEpochMilli() - System.currentTimeMillis()) + 5_000;
      if (!callback.awaitCompletion(waitMillis, TimeUnit.MILLISECONDS)) {
        callback.close();
      }
    } catch (IOException e) {
      throw ErrorClassifier.build(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DockerFailure(ErrorKind.INTERNAL, "interrupted while building", e);
    } catch (RuntimeException e) {
      stopOr(job, () -> ErrorClassifier.build(e));
    } finally {
      job.setStopHook(null);
    }
    stopOr(job, () -> null);
    if (callback.error != null) {
      throw ErrorClassifier.build(callback.error);
    }
    if (callback.errorMessage != null) {
      throw ErrorClassifier.build(new IllegalStateException(callback.errorMessage));
    }
    if (callback.imageId == null) {
      throw new DockerFailure(ErrorKind.BUILD_FAILED, "build failed: no image produced", null);
    }
    job.log("built image " + callback.imageId);
    return callback.imageId;
  }

  private interface FailureSupplier {
    JobFailure get();
  }

  private static void stopOr(Job job, FailureSupplier other) throws JobFailure {
    JobFailure stopped = job.stopped();
    if (stopped != null) {
      throw stopped;
    }
    JobFailure f = other.get();
    if (f != null) {
      throw f;
    }
  }

  static String localTag(JobRequest req) {
    return LOCAL_REPO_PREFIX + req.getEcrRepo() + ":" + req.getDeploymentVersion();
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

  /** Streams the daemon's output into the job; errors are kept, never logged by docker-java at ERROR. */
  private static final class Callback extends BuildImageResultCallback {
    private final Job job;
    private volatile String imageId;
    private volatile String errorMessage;
    private volatile Throwable error;

    Callback(Job job) {
      this.job = job;
    }

    @Override
    public void onNext(BuildResponseItem item) {
      if (item.getStream() != null && !item.getStream().isBlank()) {
        job.log(item.getStream().stripTrailing());
      }
      if (item.isErrorIndicated()) {
        errorMessage = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
            ? item.getErrorDetail().getMessage() : item.getError();
        job.log("error: " + errorMessage);
      }
      if (item.isBuildSuccessIndicated() && item.getImageId() != null) {
        imageId = item.getImageId();
      }
    }

    @Override
    public void onError(Throwable throwable) {
      error = throwable;
      try {
        close();
      } catch (IOException ignored) {
        // closing a failed stream
      }
    }
  }
}
