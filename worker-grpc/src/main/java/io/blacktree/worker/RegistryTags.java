package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.Names;
import io.blacktree.worker.JobFailure.RegistryFailure;
import io.blacktree.worker.RegistryProbe.RemoteImage;
import io.blacktree.worker.provenance.AttestationStore.Manifest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The registry-side rules of publishing, the same for every builder: which tags an image gets (version, the
 * request's extra tags, the short SHA), the immutable version tag (TAG_EXISTS unless overwriting is allowed,
 * except for this job's own earlier attempt), and tagging a pushed manifest in the registry (every tag at once)
 * with retries on transient failures.
 */
final class RegistryTags {
  static final int SHORT_SHA = 12;
  private final RegistryProbe probe;
  private final boolean allowTagOverwrite;
  private final int maxAttempts;

  RegistryTags(RegistryProbe probe, boolean allowTagOverwrite, int maxAttempts) {
    this.probe = probe;
    this.allowTagOverwrite = allowTagOverwrite;
    this.maxAttempts = maxAttempts;
  }

  /** The version tag first, then the request's tags, then the commit's short SHA; no duplicates. */
  static List<String> tags(JobSpec spec, String sha) {
    Set<String> tags = new LinkedHashSet<>();
    tags.add(spec.request().deploymentVersion());
    tags.addAll(spec.extraTags());
    tags.add(sha.substring(0, Math.min(SHORT_SHA, sha.length())));
    return new ArrayList<>(tags);
  }

  int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Checks the version tag before it is (re)pointed. Returns the digest it holds when that is this job's own
   * earlier attempt (same workflow ID label, same commit): the job is done without publishing again.
   *
   * @param configDigest the config digest of the image about to be published (= its local image ID)
   * @throws RegistryFailure TAG_EXISTS when the tag holds another image and overwriting is not allowed
   */
  Optional<String> ownEarlierAttempt(JobSpec spec, StepControl control, RegistryAuth auth, String sha,
      String configDigest) throws JobFailure {
    String ecrRepo = spec.request().ecrRepo();
    String version = spec.request().deploymentVersion();
    String imageUrl = auth.host() + "/" + ecrRepo + ":" + version;
    Optional<RemoteImage> existing = probe.find(auth, ecrRepo, version);
    if (existing.isEmpty()) {
      return Optional.empty();
    }
    RemoteImage remote = existing.get();
    String workflowId = spec.workflowId();
    if (!workflowId.isEmpty() && workflowId.equals(remote.labels().get(Names.LABEL_WORKFLOW_ID))
        && sha.equals(remote.labels().get("org.opencontainers.image.revision"))) {
      control.log(imageUrl + " already holds this job's image (" + remote.digest() + "): not pushing again");
      return Optional.of(remote.digest());
    }
    if (!configDigest.equals(remote.configDigest()) && !allowTagOverwrite) {
      throw new RegistryFailure(ErrorKind.TAG_EXISTS,
          imageUrl + " already exists with another image (" + remote.digest() + "); versions are immutable", null);
    }
    return Optional.empty();
  }

  /**
   * Points each of {@code tags} at the manifest {@code digest} already in the repository, in the registry: the
   * manifest is read once and put under every tag at once; the tags that failed for a transient reason are put
   * again, up to {@code maxAttempts} times in all.
   */
  void tagAll(StepControl control, RegistryAuth auth, String repository, String digest, List<String> tags)
      throws JobFailure {
    if (!tags.isEmpty()) {
      tagAll(control, auth, repository, manifest(control, auth, repository, digest), tags);
    }
  }

  /** {@link #tagAll(StepControl, RegistryAuth, String, String, List)} with the manifest already read. */
  void tagAll(StepControl control, RegistryAuth auth, String repository, Manifest manifest, List<String> tags)
      throws JobFailure {
    String digest = manifest.digest();
    List<String> left = tags;
    for (int attempt = 1; ; attempt++) {
      control.checkStopped();
      Map<String, RegistryFailure> failed = probe.putTags(auth, repository, manifest, left);
      if (failed.isEmpty()) {
        break;
      }
      RegistryFailure first = failed.values().stream().filter(f -> f.kind() != ErrorKind.REGISTRY_UNAVAILABLE)
          .findFirst().orElse(failed.values().iterator().next());
      if (first.kind() != ErrorKind.REGISTRY_UNAVAILABLE || attempt >= maxAttempts || control.isStopped()) {
        throw first;
      }
      control.log("tagging " + repository + ":" + String.join(", ", failed.keySet()) + " failed ("
          + first.getMessage() + "), retry " + attempt);
      pause(control, 1000L * attempt);
      left = new ArrayList<>(failed.keySet());
    }
    control.log("tagged " + digest + " in the registry as " + String.join(", ", tags));
  }

  /** The manifest {@code digest} of {@code repository} as the registry holds it, with retries. */
  Manifest manifest(StepControl control, RegistryAuth auth, String repository, String digest) throws JobFailure {
    for (int attempt = 1; ; attempt++) {
      control.checkStopped();
      try {
        return probe.manifest(auth, repository, digest);
      } catch (RegistryFailure f) {
        if (f.kind() != ErrorKind.REGISTRY_UNAVAILABLE || attempt >= maxAttempts || control.isStopped()) {
          throw f;
        }
        control.log("reading " + repository + "@" + digest + " failed (" + f.getMessage() + "), retry " + attempt);
        pause(control, 1000L * attempt);
      }
    }
  }

  /** Waits before a retry; a stop of the job ends the wait's outcome as the job's failure. */
  static void pause(StepControl control, long millis) throws JobFailure {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryFailure(ErrorKind.INTERNAL, "interrupted", e);
    }
    control.checkStopped();
  }
}
