package io.blacktree.worker;

import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.Step;
import java.util.List;
import java.util.Optional;

/**
 * BuildKit ({@code --builder buildkit}, and {@code auto} where buildkitd answers): gets the push credentials
 * first ({@link LoginStep}), since buildkitd pushes in the same solve that builds ({@link BuildctlBuild}, by
 * digest), then applies the registry's tag rules ({@link RegistryTags}: the immutable version tag, this job's
 * own earlier attempt) and points the version tag, the extra tags and the short SHA at the pushed manifest.
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
  public void beforeJob(Job job) {
    // buildkitd cancels and cleans a solve whose client went away; nothing is left to remove here
  }

  @Override
  public Published run(Job job, Workspace ws, String sha, String source, Steps steps) throws JobFailure {
    RegistryAuth auth = steps.run(Step.LOGGING_IN, () -> login.run(job));
    job.checkStopped();
    BuildctlBuild.Solved solved = steps.run(Step.BUILDING,
        () -> buildctl.run(job, ws, BuildInputs.of(job.request(), ws, sha, source), auth));
    job.checkStopped();
    return steps.run(Step.PUSHING, () -> publish(job, auth, sha, solved));
  }

  private Published publish(Job job, RegistryAuth auth, String sha, BuildctlBuild.Solved solved)
      throws JobFailure {
    JobRequest req = job.request();
    String repo = auth.host() + "/" + req.getEcrRepo();
    String imageUrl = repo + ":" + req.getDeploymentVersion();
    List<String> tags = RegistryTags.tags(req, sha);
    List<String> refs = tags.stream().map(t -> repo + ":" + t).toList();
    Optional<String> earlier = registryTags.ownEarlierAttempt(job, auth, sha, solved.configDigest());
    if (earlier.isPresent()) {
      return new Published(imageUrl, earlier.get(), refs, true, solved.cachedSteps(), solved.remoteCachedSteps(),
          0, 0, 0, name());
    }
    registryTags.tagAll(job, auth, req.getEcrRepo(), solved.digest(), tags);
    job.log("pushed " + imageUrl + " " + solved.digest() + " (pushed by buildkitd)");
    return new Published(imageUrl, solved.digest(), refs, false, solved.cachedSteps(), solved.remoteCachedSteps(),
        0, 0, 0, name());
  }

  @Override
  public void afterJob() {
    // buildkitd's own garbage collection bounds its cache
  }
}
