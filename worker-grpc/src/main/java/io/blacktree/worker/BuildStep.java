package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.model.BuildResponseItem;
import io.blacktree.core.ErrorKind;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.worker.JobFailure.DockerFailure;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Builds the checkout's Dockerfile with the classic builder: the context and Dockerfile must resolve inside
 * the checkout (no {@code ..}, no symlink out), the context is streamed to the engine as our own uncompressed
 * tar ({@link ContextTar}: no {@code .git}, {@code .dockerignore} applied, modes kept) written by a helper
 * thread into a pipe that docker-java sends as a chunked request body (no temp file, no gzip), build args are
 * set, and intermediate containers are always removed ({@code forcerm}). The OCI labels (source, revision,
 * version, created, and the workflow ID label) are added after the build by {@link ImageLabels}, not as a
 * {@code --label} build step, which would cost an uncacheable container commit per job; so are the Dockerfile's
 * trailing metadata instructions when {@link DockerfileTail} can take them out. Every output line becomes a job event. The
 * image is tagged with a local name only; {@link PushStep} adds the registry tags. Returns the image ID and
 * how many steps the layer cache served ({@code ---> Using cache} lines). RUN steps get {@link BuildLimits}:
 * network mode (default none), memory and CPU limits; the classic builder has no host mounts.
 *
 * <p>An {@link EngineWatch} runs with the build, so a RUN killed by the engine's own shutdown (exit 137, engine
 * unreachable) is {@code DOCKER_UNAVAILABLE}, not {@code BUILD_FAILED}. The intermediate containers seen in
 * the stream ({@link BuildContainers}) are removed after a failed or stopped build, since an engine that went
 * down mid-RUN leaves them behind.
 */
final class BuildStep {
  /** The built image and the number of build steps served from the layer cache. */
  record Built(String imageId, int cachedSteps) {}

  static final String LOCAL_REPO_PREFIX = "blacktree-local/";
  private static final int PIPE_BUFFER = 1 << 20;
  /** A Dockerfile larger than this is sent as it is, not split ({@link DockerfileTail}). */
  private static final long MAX_DOCKERFILE_TO_SPLIT = 1 << 20;
  /** How long a failed build waits for an engine that is restarting to remove the build's containers. */
  static final Duration LEFTOVER_BOUND = Duration.ofSeconds(20);
  private final DockerClient docker;
  private final BuildLimits limits;
  private final BuildContainers containers;
  private final ImageLabels imageLabels;

  BuildStep(DockerClient docker) {
    this(docker, BuildLimits.defaults());
  }

  BuildStep(DockerClient docker, BuildLimits limits) {
    this.docker = docker;
    this.limits = limits;
    this.containers = new BuildContainers(docker);
    this.imageLabels = new ImageLabels(docker);
  }

  /**
   * Removes build containers an earlier failed build left (the engine was down then), waiting up to
   * {@code bound} for the engine; logs into {@code job} what it removed.
   */
  void removeLeftovers(Job job, Duration bound) {
    if (containers.pending().isEmpty()) {
      return;
    }
    int removed = containers.removePending(bound);
    if (removed > 0) {
      job.log("removed " + removed + " build container(s) left by an interrupted build");
    }
  }

  Built run(Job job, Workspace ws, String sha, String source) throws JobFailure {
    BuildInputs in = BuildInputs.of(job.request(), ws, sha, source);
    Source src = source(job, in.context(), in.dockerfile(), job.request().getTarget().isEmpty());
    job.checkStopped();
    try {
      return build(job, src, in.labels());
    } catch (JobFailure f) {
      removeLeftovers(job, LEFTOVER_BOUND);
      throw f;
    }
  }

  /**
   * What goes to the engine: the context, the checkout's Dockerfile, its path in the tar, and, when its trailing
   * metadata instructions are applied to the config instead ({@link DockerfileTail}; only when the last stage is
   * the one built, not a {@code target} stage), the shortened Dockerfile the engine builds and those edits.
   */
  private record Source(Path context, Path dockerfile, String dockerfileInTar, byte[] buildDockerfile,
      ConfigEdits edits) {}

  private static Source source(Job job, Path context, Path dockerfile, boolean lastStageBuilt) {
    DockerfileTail.Split split = null;
    try {
      if (lastStageBuilt && Files.size(dockerfile) <= MAX_DOCKERFILE_TO_SPLIT
          && !Files.exists(context.resolve(ContextTar.OUTSIDE_DOCKERFILE), LinkOption.NOFOLLOW_LINKS)) {
        split = DockerfileTail.split(Files.readString(dockerfile), !ContextTar.hasOwnIgnore(context));
      }
    } catch (IOException e) {
      split = null; // not UTF-8 or unreadable here: the engine reads it as it is
    }
    if (split != null && split.peeledAny()) {
      job.log("applying " + split.peeled().size() + " trailing metadata instruction(s) to the image config "
          + "instead of one container commit each: " + String.join("; ", split.peeled()));
      return new Source(context, dockerfile, ContextTar.OUTSIDE_DOCKERFILE,
          split.buildable().getBytes(StandardCharsets.UTF_8), split.edits());
    }
    String inTar = dockerfile.startsWith(context)
        ? context.relativize(dockerfile).toString() : ContextTar.OUTSIDE_DOCKERFILE;
    return new Source(context, dockerfile, inTar, null, ConfigEdits.NONE);
  }

  private Built build(Job job, Source src, Map<String, String> labels) throws JobFailure {
    Callback callback = new Callback(job, containers);
    EngineWatch watch = EngineWatch.start(docker);
    try {
      Built built = buildWatched(job, src, labels, callback);
      containers.forget(callback.containerIds);
      return built;
    } catch (DockerFailure f) {
      throw ErrorClassifier.afterEngineCheck(f, callback.errorMessage,
          () -> watch.killedByEngine(List.copyOf(callback.containerIds)));
    } finally {
      watch.close();
    }
  }

  private Built buildWatched(Job job, Source src, Map<String, String> labels, Callback callback)
      throws JobFailure {
    JobRequest req = job.request();
    ContextWriter writer;
    PipedInputStream tar = new PipedInputStream(PIPE_BUFFER);
    try {
      writer = new ContextWriter(src, new PipedOutputStream(tar));
    } catch (IOException e) {
      throw new JobFailure(ErrorKind.INTERNAL, "could not open the build context pipe", e);
    }
    writer.start();
    try (tar) {
      var cmd = docker.buildImageCmd()
          .withTarInputStream(tar)
          .withDockerfilePath(src.dockerfileInTar())
          .withTags(Set.of(localTag(req)))
          .withForcerm(true)
          .withRemove(true)
          .withPull(false)
          .withNetworkMode(limits.networkMode());
      if (limits.memoryBytes() > 0) {
        cmd.withMemory(limits.memoryBytes()).withMemswap(limits.memoryBytes());
      }
      if (limits.cpuShares() > 0) {
        cmd.withCpushares(Integer.toString(limits.cpuShares()));
      }
      if (limits.cpusetCpus() != null) {
        cmd.withCpusetcpus(limits.cpusetCpus());
      }
      if (!req.getTarget().isEmpty()) {
        cmd.withTarget(req.getTarget());
      }
      req.getBuildArgsMap().forEach(cmd::withBuildArg);
      job.setStopHook(callback);
      cmd.exec(callback);
      long waitMillis = Math.max(1, job.deadline().toEpochMilli() - System.currentTimeMillis()) + 5_000;
      if (!callback.awaitCompletion(waitMillis, TimeUnit.MILLISECONDS)) {
        callback.close();
      }
    } catch (IOException e) {
      throw writer.failureOr(ErrorClassifier.build(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DockerFailure(ErrorKind.INTERNAL, "interrupted while building", e);
    } catch (RuntimeException e) {
      stopOr(job, () -> writer.failureOr(ErrorClassifier.build(e)));
    } finally {
      job.setStopHook(null);
    }
    stopOr(job, () -> writer.failureOr(null));
    if (callback.error != null) {
      throw ErrorClassifier.build(callback.error);
    }
    if (callback.errorMessage != null) {
      throw ErrorClassifier.build(new IllegalStateException(callback.errorMessage));
    }
    if (callback.imageId == null) {
      throw new DockerFailure(ErrorKind.BUILD_FAILED, "build failed: no image produced", null);
    }
    job.log("built image " + callback.imageId + " (" + callback.cachedSteps + " step(s) from the layer cache)");
    long start = System.nanoTime();
    String labelled = imageLabels.apply(callback.imageId, src.edits(), labels, localTag(req));
    job.log("labelled image " + labelled + " (workflow ID, source, revision, version, created) in "
        + (System.nanoTime() - start) / 1_000_000 + " ms");
    return new Built(labelled, callback.cachedSteps);
  }

  /**
   * Writes the context tar into the pipe on its own thread. The build's end closes the reading side, which
   * makes a writer still blocked on a full pipe fail and end. A write failure (unreadable file, disk) is kept
   * and wins over the engine's report of the cut-short body.
   */
  private static final class ContextWriter extends Thread {
    private final Source src;
    private final PipedOutputStream out;
    private volatile IOException failure;

    ContextWriter(Source src, PipedOutputStream out) {
      super("blacktree-context-tar");
      setDaemon(true);
      this.src = src;
      this.out = out;
    }

    @Override
    public void run() {
      try (out) {
        ContextTar.write(src.context(), src.dockerfile(), src.buildDockerfile(), out);
      } catch (IOException e) {
        String m = String.valueOf(e.getMessage());
        if (!m.contains("Pipe closed") && !m.contains("Read end dead") && !m.contains("Pipe broken")) {
          failure = e;
        }
      }
    }

    /** The writer's own failure as a job failure, else {@code other}. Waits briefly for the writer to end. */
    JobFailure failureOr(JobFailure other) {
      try {
        join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      IOException e = failure;
      if (e == null) {
        return other;
      }
      ErrorKind kind = ErrorClassifier.localIo(e);
      return new JobFailure(kind, "could not write the build context: " + e.getMessage(), e);
    }
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

  /** Streams the daemon's output into the job; errors are kept, never logged by docker-java at ERROR. */
  private static final class Callback extends BuildImageResultCallback {
    private final Job job;
    private final BuildContainers containers;
    private final List<String> containerIds = Collections.synchronizedList(new ArrayList<>());
    private volatile String imageId;
    private volatile String errorMessage;
    private volatile Throwable error;
    private volatile int cachedSteps;

    Callback(Job job, BuildContainers containers) {
      this.job = job;
      this.containers = containers;
    }

    @Override
    public void onNext(BuildResponseItem item) {
      if (item.getStream() != null && !item.getStream().isBlank()) {
        job.log(item.getStream().stripTrailing());
        if (item.getStream().contains("---> Using cache")) {
          cachedSteps++;
        }
        String container = BuildContainers.runningIn(item.getStream());
        if (container != null) {
          containers.track(container);
          containerIds.add(container);
        }
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
