package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import io.blacktree.core.ErrorKind;
import io.blacktree.worker.JobFailure.RegistryFailure;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tags the built image for the registry and pushes it through the engine as
 * {@code <registry>/<ecr_repo>:<version>}; the request's extra tags and the short SHA are then added in the
 * registry to the pushed manifest ({@link RegistryTags#tagAll}: one read of the manifest, then one small write
 * per tag, all at once) instead of a second push through the engine. Every push item is checked for an error (docker-java is silent otherwise); a
 * transient registry failure is retried up to {@code maxAttempts} times without rebuilding. The immutable
 * version tag and this job's own earlier attempt are {@link RegistryTags#ownEarlierAttempt}'s rules.
 */
final class PushStep {
  /**
   * The pushed image: its digest, full references, whether an earlier attempt had already pushed it, and for
   * the version tag's push how many layers the registry already had and how many were uploaded.
   */
  record Pushed(String imageUrl, String digest, List<String> tags, boolean alreadyPushed, int layersExisting,
      int layersUploaded, long bytesUploaded) {}

  private final DockerClient docker;
  private final RegistryTags registryTags;
  private final int maxAttempts;

  PushStep(DockerClient docker, RegistryTags registryTags) {
    this.docker = docker;
    this.registryTags = registryTags;
    this.maxAttempts = registryTags.maxAttempts();
  }

  Pushed run(JobSpec spec, StepControl control, String imageId, RegistryAuth auth, String sha) throws JobFailure {
    String ecrRepo = spec.request().ecrRepo();
    String version = spec.request().deploymentVersion();
    String repo = auth.host() + "/" + ecrRepo;
    String imageUrl = repo + ":" + version;
    List<String> tags = RegistryTags.tags(spec, sha);
    List<String> refs = tags.stream().map(t -> repo + ":" + t).toList();
    Optional<String> earlier = registryTags.ownEarlierAttempt(spec, control, auth, sha, imageId);
    if (earlier.isPresent()) {
      return new Pushed(imageUrl, earlier.get(), refs, true, 0, 0, 0);
    }
    tagImage(imageId, repo, version);
    Layers layers = new Layers();
    String digest = pushWithRetry(control, auth, repo, version, layers);
    control.log("pushed " + imageUrl + " " + digest + " (" + layers.uploaded.size() + " layer(s) uploaded, "
        + layers.existing.size() + " already in the registry)");
    registryTags.tagAll(control, auth, ecrRepo, digest, tags.subList(1, tags.size()));
    return new Pushed(imageUrl, digest, refs, false, layers.existing.size(), layers.uploaded.size(),
        layers.uploadedBytes());
  }

  private void tagImage(String imageId, String repo, String tag) throws JobFailure {
    try {
      docker.tagImageCmd(imageId, repo, tag).withForce(true).exec();
    } catch (RuntimeException e) {
      throw ErrorClassifier.engine(e);
    }
  }

  /** Layer ids of one tag's push, by what the registry said (a retry's items add to the same sets). */
  private static final class Layers {
    final Set<String> existing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final Set<String> uploaded = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Size of each layer as the push progress reported it (its total, else the bytes sent so far). */
    final java.util.Map<String, Long> sizes = new java.util.concurrent.ConcurrentHashMap<>();

    void add(PushResponseItem item) {
      if (item.getId() == null || item.getStatus() == null) {
        return;
      }
      com.github.dockerjava.api.model.ResponseItem.ProgressDetail p = item.getProgressDetail();
      if (p != null) {
        long n = Math.max(p.getTotal() == null ? 0 : p.getTotal(), p.getCurrent() == null ? 0 : p.getCurrent());
        sizes.merge(item.getId(), n, Math::max);
      }
      if (item.getStatus().startsWith("Layer already exists") || item.getStatus().startsWith("Mounted from")) {
        existing.add(item.getId());
      } else if (item.getStatus().equals("Pushed")) {
        uploaded.add(item.getId());
        existing.remove(item.getId());
      }
    }

    long uploadedBytes() {
      return uploaded.stream().mapToLong(id -> sizes.getOrDefault(id, 0L)).sum();
    }
  }

  private String pushWithRetry(StepControl control, RegistryAuth auth, String repo, String tag, Layers layers)
      throws JobFailure {
    for (int attempt = 1; ; attempt++) {
      control.checkStopped();
      try {
        return pushOnce(control, auth, repo, tag, layers);
      } catch (RegistryFailure f) {
        if (f.kind() != ErrorKind.REGISTRY_UNAVAILABLE || attempt >= maxAttempts || control.isStopped()) {
          throw f;
        }
        control.log("push of " + repo + ":" + tag + " failed (" + f.getMessage() + "), retry " + attempt);
        RegistryTags.pause(control, 1000L * attempt);
      }
    }
  }

  private String pushOnce(StepControl control, RegistryAuth auth, String repo, String tag, Layers layers)
      throws JobFailure {
    Callback callback = new Callback(control::log, layers);
    var cmd = docker.pushImageCmd(repo).withTag(tag);
    if (auth.hasCredentials()) {
      cmd.withAuthConfig(new AuthConfig().withRegistryAddress(auth.host())
          .withUsername(auth.username()).withPassword(auth.password()));
    }
    control.setStopHook(callback);
    try {
      cmd.exec(callback);
      long wait = Math.max(1, control.deadline().toEpochMilli() - System.currentTimeMillis()) + 5_000;
      if (!callback.awaitCompletion(wait, TimeUnit.MILLISECONDS)) {
        callback.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryFailure(ErrorKind.INTERNAL, "interrupted while pushing", e);
    } catch (IOException | RuntimeException e) {
      control.checkStopped();
      throw ErrorClassifier.engine(e);
    } finally {
      control.setStopHook(null);
    }
    control.checkStopped();
    if (callback.error() != null) {
      throw ErrorClassifier.engine(callback.error());
    }
    if (callback.errorMessage() != null) {
      throw ErrorClassifier.push(callback.errorMessage());
    }
    if (callback.digest == null) {
      throw new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE, "push of " + repo + ":" + tag + " reported no digest", null);
    }
    return callback.digest;
  }

  /** Checks every push item; keeps the digest from the aux item. */
  private static final class Callback extends EngineStream<PushResponseItem> {
    private final Layers layers;
    private volatile String digest;

    Callback(Consumer<String> log, Layers layers) {
      super(log);
      this.layers = layers;
    }

    @Override
    public void onNext(PushResponseItem item) {
      layers.add(item);
      if (keptError(item, "push error: ")) {
        return;
      }
      if (item.getAux() != null && item.getAux().getDigest() != null) {
        digest = item.getAux().getDigest();
      } else if (item.getStatus() != null && item.getProgressDetail() == null) {
        log((item.getId() == null ? "" : item.getId() + ": ") + item.getStatus());
      }
    }
  }
}
