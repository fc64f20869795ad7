package io.blacktree.worker;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.model.BuildResponseItem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * The engine's build stream, read: every output line goes to the job's log; the image ID, the error, the number
 * of steps the layer cache served ({@code ---> Using cache}) and the build containers seen are kept. Errors are
 * kept, never logged by docker-java at ERROR. Closing it stops the build.
 */
final class EngineBuildOutput extends BuildImageResultCallback {
  private final Consumer<String> log;
  private final BuildContainers containers;
  private final List<String> containerIds = Collections.synchronizedList(new ArrayList<>());
  private volatile String imageId;
  private volatile String errorMessage;
  private volatile Throwable error;
  private volatile int cachedSteps;

  EngineBuildOutput(Consumer<String> log, BuildContainers containers) {
    this.log = log;
    this.containers = containers;
  }

  @Override
  public void onNext(BuildResponseItem item) {
    if (item.getStream() != null && !item.getStream().isBlank()) {
      log.accept(item.getStream().stripTrailing());
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
      log.accept("error: " + errorMessage);
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

  /** The built image's ID, or null. */
  String imageId() {
    return imageId;
  }

  /** The engine's error message, or null. */
  String errorMessage() {
    return errorMessage;
  }

  /** The stream's own failure, or null. */
  Throwable error() {
    return error;
  }

  int cachedSteps() {
    return cachedSteps;
  }

  /** The build containers seen so far. */
  List<String> containerIds() {
    return List.copyOf(containerIds);
  }
}
