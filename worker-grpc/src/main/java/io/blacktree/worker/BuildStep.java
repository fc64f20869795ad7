package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import io.blacktree.core.ErrorKind;
import io.blacktree.worker.JobFailure.DockerFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Builds the checkout's Dockerfile with the classic builder: the context and Dockerfile must resolve inside
 * the checkout (no {@code ..}, no symlink out), the context is streamed to the engine as our own uncompressed
 * tar ({@link ContextTar}: no {@code .git}, {@code .dockerignore} applied, modes kept) written by
 * {@link ContextTarWriter} into a pipe that docker-java sends as a chunked request body (no temp file, no gzip),
 * the engine's output read by {@link EngineBuildOutput}, build args are
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
  /** A Dockerfile larger than this is sent as it is, not split ({@link DockerfileTail}). */
  private static final long MAX_DOCKERFILE_TO_SPLIT = 1 << 20;
  /** How long a failed build waits for an engine that is restarting to remove the build's containers. */
  static final Duration LEFTOVER_BOUND = Duration.ofSeconds(20);
  private final DockerClient docker;
  private final BuildLimits limits;
  private final BuildContainers containers;
  private final ImageLabels imageLabels;

  BuildStep(DockerClient docker, BuildLimits limits) {
    this.docker = docker;
    this.limits = limits;
    this.containers = new BuildContainers(docker);
    this.imageLabels = new ImageLabels(docker);
  }

  /**
   * Removes build containers an earlier failed build left (the engine was down then), waiting up to
   * {@code bound} for the engine; says in {@code jobLog} what it removed.
   */
  void removeLeftovers(Consumer<String> jobLog, Duration bound) {
    if (containers.pending().isEmpty()) {
      return;
    }
    int removed = containers.removePending(bound);
    if (removed > 0) {
      jobLog.accept("removed " + removed + " build container(s) left by an interrupted build");
    }
  }

  /** Builds {@code in} for {@code spec}, tagged with {@link #localTag} only. */
  Built run(JobSpec spec, StepControl control, BuildInputs in) throws JobFailure {
    Source src = source(control, in.context(), in.dockerfile(), spec.targetOrEmpty().isEmpty());
    control.checkStopped();
    try {
      return build(spec, control, src, in.labels());
    } catch (JobFailure f) {
      removeLeftovers(control::log, LEFTOVER_BOUND);
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

  private static Source source(StepControl control, Path context, Path dockerfile, boolean lastStageBuilt) {
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
      control.log("applying " + split.peeled().size() + " trailing metadata instruction(s) to the image config "
          + "instead of one container commit each: " + String.join("; ", split.peeled()));
      return new Source(context, dockerfile, ContextTar.OUTSIDE_DOCKERFILE,
          split.buildable().getBytes(StandardCharsets.UTF_8), split.edits());
    }
    String inTar = dockerfile.startsWith(context)
        ? context.relativize(dockerfile).toString() : ContextTar.OUTSIDE_DOCKERFILE;
    return new Source(context, dockerfile, inTar, null, ConfigEdits.NONE);
  }

  private Built build(JobSpec spec, StepControl control, Source src, Map<String, String> labels)
      throws JobFailure {
    EngineBuildOutput output = new EngineBuildOutput(control::log, containers);
    EngineWatch watch = EngineWatch.start(docker);
    try {
      String imageId = buildWatched(spec, control, src, output);
      control.log("built image " + imageId + " (" + output.cachedSteps() + " step(s) from the layer cache)");
      long start = System.nanoTime();
      String labelled = imageLabels.apply(imageId, src.edits(), labels, localTag(spec));
      control.log("labelled image " + labelled + " (workflow ID, source, revision, version, created) in "
          + (System.nanoTime() - start) / 1_000_000 + " ms");
      containers.forget(output.containerIds());
      return new Built(labelled, output.cachedSteps());
    } catch (DockerFailure f) {
      throw ErrorClassifier.afterEngineCheck(f, output.errorMessage(),
          () -> watch.killedByEngine(output.containerIds()));
    } finally {
      watch.close();
    }
  }

  /** Runs the engine's build to its end or the job's stop; returns the built image's ID. */
  private String buildWatched(JobSpec spec, StepControl control, Source src, EngineBuildOutput output)
      throws JobFailure {
    ContextTarWriter.Started context = ContextTarWriter.start(src.context(), src.dockerfile(), src.buildDockerfile());
    ContextTarWriter writer = context.writer();
    try (InputStream tar = context.tar()) {
      var cmd = docker.buildImageCmd()
          .withTarInputStream(tar)
          .withDockerfilePath(src.dockerfileInTar())
          .withTags(Set.of(localTag(spec)))
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
      if (!spec.targetOrEmpty().isEmpty()) {
        cmd.withTarget(spec.targetOrEmpty());
      }
      spec.buildArgs().forEach(cmd::withBuildArg);
      control.setStopHook(output);
      cmd.exec(output);
      long waitMillis = Math.max(1, control.deadline().toEpochMilli() - System.currentTimeMillis()) + 5_000;
      if (!output.awaitCompletion(waitMillis, TimeUnit.MILLISECONDS)) {
        output.close();
      }
    } catch (IOException e) {
      throw writer.failureOr(ErrorClassifier.build(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DockerFailure(ErrorKind.INTERNAL, "interrupted while building", e);
    } catch (RuntimeException e) {
      control.checkStopped();
      throw writer.failureOr(ErrorClassifier.build(e));
    } finally {
      control.setStopHook(null);
    }
    control.checkStopped();
    JobFailure writeFailure = writer.failureOr(null);
    if (writeFailure != null) {
      throw writeFailure;
    }
    if (output.error() != null) {
      throw ErrorClassifier.build(output.error());
    }
    if (output.errorMessage() != null) {
      throw ErrorClassifier.build(new IllegalStateException(output.errorMessage()));
    }
    if (output.imageId() == null) {
      throw new DockerFailure(ErrorKind.BUILD_FAILED, "build failed: no image produced", null);
    }
    return output.imageId();
  }

  static String localTag(JobSpec spec) {
    return LOCAL_REPO_PREFIX + spec.request().ecrRepo() + ":" + spec.request().deploymentVersion();
  }
}
