package io.blacktree.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an image to completion with no network (the engine here has no bridge) and returns its exit code
 * and combined output. The container is removed afterwards.
 */
public final class ImageRunner {
  /** What the container did: exit code and stdout+stderr as text. */
  public record Result(int exitCode, String output) {}

  private final DockerClient docker;

  public ImageRunner(DockerClient docker) {
    this.docker = docker;
  }

  /** Runs {@code image} with {@code command} (empty: the image's CMD), waiting at most {@code bound}. */
  public Result run(String image, Duration bound, String... command) throws InterruptedException {
    var create = docker.createContainerCmd(image)
        .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"));
    if (command.length > 0) {
      create.withCmd(List.of(command));
    }
    String id = create.exec().getId();
    try {
      docker.startContainerCmd(id).exec();
      Integer exit = docker.waitContainerCmd(id).start().awaitStatusCode(bound.toMillis(), TimeUnit.MILLISECONDS);
      StringBuilder output = new StringBuilder();
      docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(false)
          .exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
              output.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            }
          })
          .awaitCompletion(bound.toMillis(), TimeUnit.MILLISECONDS);
      return new Result(exit, output.toString());
    } finally {
      docker.removeContainerCmd(id).withForce(true).exec();
    }
  }
}
