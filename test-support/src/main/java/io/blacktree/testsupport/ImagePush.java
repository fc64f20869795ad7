package io.blacktree.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Pushes a local image to a registry and reports what the engine said. docker-java's push callback
 * completes normally even on "unauthorized": this class inspects every progress item, so an error is
 * never lost.
 */
public final class ImagePush {
  /** The pushed manifest digest, or the engine's error message. Exactly one is present. */
  public record Outcome(Optional<String> digest, Optional<String> error) {
    public boolean succeeded() {
      return error.isEmpty() && digest.isPresent();
    }
  }

  private final DockerClient docker;

  public ImagePush(DockerClient docker) {
    this.docker = docker;
  }

  /** Tags {@code imageId} as {@code repository:tag} (repository includes the registry host). */
  public void tag(String imageId, String repository, String tag) {
    docker.tagImageCmd(imageId, repository, tag).exec();
  }

  /** Pushes {@code repository:tag}; {@code user}/{@code password} may be null for an open registry. */
  public Outcome push(String repository, String tag, String user, String password, Duration bound)
      throws InterruptedException {
    var cmd = docker.pushImageCmd(repository).withTag(tag);
    if (user != null) {
      cmd.withAuthConfig(new AuthConfig()
          .withUsername(user)
          .withPassword(password)
          .withRegistryAddress(repository.substring(0, repository.indexOf('/'))));
    }
    Collector collector = new Collector();
    cmd.exec(collector);
    if (!collector.awaitCompletion(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      closeQuietly(collector);
      return new Outcome(Optional.empty(), Optional.of("push did not finish within " + bound));
    }
    if (collector.error != null) {
      return new Outcome(Optional.empty(), Optional.of(collector.error));
    }
    if (collector.digest == null) {
      return new Outcome(Optional.empty(), Optional.of("push finished without reporting a digest"));
    }
    return new Outcome(Optional.of(collector.digest), Optional.empty());
  }

  private static void closeQuietly(Collector collector) {
    try {
      collector.close();
    } catch (java.io.IOException ignored) {
      // already failing
    }
  }

  private static final class Collector extends ResultCallback.Adapter<PushResponseItem> {
    private volatile String digest;
    private volatile String error;

    @Override
    public void onNext(PushResponseItem item) {
      if (item.isErrorIndicated()) {
        error = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
            ? item.getErrorDetail().getMessage()
            : item.getError();
      } else if (item.getAux() != null && item.getAux().getDigest() != null) {
        digest = item.getAux().getDigest();
      }
    }

    @Override
    public void onError(Throwable throwable) {
      // keep docker-java from logging a stack trace at ERROR; the caller sees the message
      error = throwable.getClass().getSimpleName() + ": " + throwable.getMessage();
      super.onComplete();
    }
  }
}
