package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.worker.JobFailure.DockerFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Docker engine's classic builder ({@code --builder engine}): {@link BuildStep} builds and labels the image
 * in the engine, {@link LoginStep} gets the push credentials, {@link PushStep} pushes through the engine and
 * tags in the registry. The engine's image store is this builder's cache: {@link ImagePruner} keeps it within
 * its bound after each job, and build containers an interrupted build left are removed before the next job.
 * The classic builder cannot build BuildKit-only Dockerfiles ({@code RUN --mount}, heredocs,
 * {@code COPY --chmod}/{@code --link}); such a build fails BUILD_FAILED naming the feature.
 */
final class EngineBuilder implements ImageBuilder {
  /** How long a job's start waits for the engine to remove an earlier build's leftover containers. */
  private static final Duration LEFTOVER_BOUND_AT_START = Duration.ofSeconds(10);
  /** How long a job's start waits for the previous job's image pruning. */
  private static final Duration PRUNE_WAIT = Duration.ofSeconds(60);
  private final BuildStep build;
  private final LoginStep login;
  private final PushStep push;
  private final ImagePruner pruner;
  /** The image the current (single) job built; kept from pruning. Jobs run one at a time per worker. */
  private volatile String lastBuilt;

  EngineBuilder(BuildStep build, LoginStep login, PushStep push, ImagePruner pruner) {
    this.build = build;
    this.login = login;
    this.push = push;
    this.pruner = pruner;
  }

  @Override
  public String name() {
    return "engine";
  }

  @Override
  public void beforeJob(Consumer<String> jobLog) {
    try {
      pruner.awaitIdle(PRUNE_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lastBuilt = null;
    build.removeLeftovers(jobLog, LEFTOVER_BOUND_AT_START);
  }

  @Override
  public Published run(JobSpec spec, StepControl control, Workspace ws, Revision revision, Steps steps)
      throws JobFailure {
    BuildStep.Built built = steps.run(Step.BUILDING, () -> buildNamingFeatures(spec, control, ws, revision));
    lastBuilt = built.imageId();
    pruner.used(built.imageId());
    control.checkStopped();
    RegistryAuth auth = steps.run(Step.LOGGING_IN, () -> login.run(spec, control));
    control.checkStopped();
    PushStep.Pushed p = steps.run(Step.PUSHING,
        () -> push.run(spec, control, built.imageId(), auth, revision.sha()));
    // the classic builder has no registry cache: its cache is this engine's layers only
    return new Published(p.imageUrl(), p.digest(), p.tags(), p.alreadyPushed(), built.cachedSteps(), 0,
        p.layersExisting(), p.layersUploaded(), p.bytesUploaded(), name());
  }

  /** A BUILD_FAILED of a Dockerfile that uses BuildKit-only features names them in its reason. */
  private BuildStep.Built buildNamingFeatures(JobSpec spec, StepControl control, Workspace ws, Revision revision)
      throws JobFailure {
    BuildInputs in = BuildInputs.of(spec, ws, revision);
    try {
      return build.run(spec, control, in);
    } catch (JobFailure f) {
      if (f.kind() != ErrorKind.BUILD_FAILED) {
        throw f;
      }
      List<String> features = features(in, spec.targetOrEmpty());
      if (features.isEmpty()) {
        throw f;
      }
      throw new DockerFailure(ErrorKind.BUILD_FAILED, f.getMessage() + "; this Dockerfile uses BuildKit-only "
          + "features the engine's classic builder cannot build: " + String.join(", ", features)
          + "; build it with --builder buildkit", f);
    }
  }

  private static List<String> features(BuildInputs in, String targetOrEmpty) {
    try {
      return BuildKitFeatures.used(Files.readString(in.dockerfile()), targetOrEmpty);
    } catch (IOException e) {
      return List.of();
    }
  }

  @Override
  public void afterJob() {
    pruner.pruneLater(lastBuilt);
  }
}
