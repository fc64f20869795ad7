package io.blacktree.worker;

import io.blacktree.proto.worker.v1.Step;
import io.blacktree.worker.provenance.AttestationStore;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * BuildKit ({@code --builder buildkit}, and {@code auto} where buildkitd answers): gets the push credentials
 * first ({@link LoginStep}), since buildkitd pushes in the same solve that builds ({@link BuildctlBuild}, by
 * digest), then applies the registry's tag rules ({@link RegistryTags}: the immutable version tag, this job's
 * own earlier attempt) and points the version tag, the extra tags and the short SHA at the pushed manifest. The job
 * runner attests the image beside that: it hears of the digest once the solve returned ({@link
 * ImageBuilder.Steps#pushed}) and gets the manifest once the version tag's rules passed
 * ({@link ImageBuilder.Steps#publishing}).
 * buildkitd keeps its own cache and garbage-collects it, so there is nothing to clean up between jobs.
 */
final class BuildKitBuilder implements ImageBuilder {
  private final LoginStep login;
  private final BuildctlBuild buildctl;
  private final RegistryTags registryTags;

  BuildKitBuilder(LoginStep login, BuildctlBuild buildctl, RegistryTags registryTags) {
    this.login = login;
    this.buildctl = buildctl;
    this.registryTags = registryTags;
  }

  @Override
  public String name() {
    return "buildkit";
  }

  @Override
  public void beforeJob(Consumer<String> jobLog) {
    // buildkitd cancels and cleans a solve whose client went away; nothing is left to remove here
  }

  @Override
  public Published run(JobSpec spec, StepControl control, Workspace ws, Revision revision, Steps steps)
      throws JobFailure {
    RegistryAuth auth = steps.run(Step.LOGGING_IN, () -> login.run(spec, control));
    control.checkStopped();
    BuildctlBuild.Solved solved = steps.run(Step.BUILDING,
        () -> buildctl.run(spec, control, ws, BuildInputs.of(spec, ws, revision), auth));
    control.checkStopped();
    steps.pushed(solved.digest());
    return steps.run(Step.PUSHING, () -> publish(spec, control, auth, revision.sha(), solved, steps));
  }

  private Published publish(JobSpec spec, StepControl control, RegistryAuth auth, String sha,
      BuildctlBuild.Solved solved, Steps steps) throws JobFailure {
    String ecrRepo = spec.request().ecrRepo();
    String repo = auth.host() + "/" + ecrRepo;
    String imageUrl = repo + ":" + spec.request().deploymentVersion();
    List<String> tags = RegistryTags.tags(spec, sha);
    List<String> refs = tags.stream().map(t -> repo + ":" + t).toList();
    Optional<String> earlier = registryTags.ownEarlierAttempt(spec, control, auth, sha, solved.configDigest());
    if (earlier.isPresent()) {
      return new Published(imageUrl, earlier.get(), refs, true, solved.cachedSteps(), solved.remoteCachedSteps(),
          0, 0, 0, name());
    }
    AttestationStore.Manifest manifest = registryTags.manifest(control, auth, ecrRepo, solved.digest());
    steps.publishing(manifest);
    registryTags.tagAll(control, auth, ecrRepo, manifest, tags);
    control.log("pushed " + imageUrl + " " + solved.digest() + " (pushed by buildkitd)");
    return new Published(imageUrl, solved.digest(), refs, false, solved.cachedSteps(), solved.remoteCachedSteps(),
        0, 0, 0, name());
  }

  @Override
  public void afterJob() {
    // buildkitd's own garbage collection bounds its cache
  }
}
