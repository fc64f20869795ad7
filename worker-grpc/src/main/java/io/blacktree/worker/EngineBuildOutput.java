package io.blacktree.worker;

import com.github.dockerjava.api.model.BuildResponseItem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * The engine's build stream, read: every output line goes to the job's log; the image ID, the error, the number
 * of steps the layer cache served ({@code ---> Using cache}) and the build containers seen are kept. Errors are
 * kept ({@link EngineStream}). Closing it stops the build.
 */
final class EngineBuildOutput extends EngineStream<BuildResponseItem> {
  private final BuildContainers containers;
  private final List<String> containerIds = Collections.synchronizedList(new ArrayList<>());
  private volatile String imageId;
  private volatile int cachedSteps;

  EngineBuildOutput(Consumer<String> log, BuildContainers containers) {
    super(log);
    this.containers = containers;
  }

  @Override
  public void onNext(BuildResponseItem item) {
    if (item.getStream() != null && !item.getStream().isBlank()) {
      log(item.getStream().stripTrailing());
      if (item.getStream().contains("---> Using cache")) {
        cachedSteps++;
      }
      String container = BuildContainers.runningIn(item.getStream());
      if (container != null) {
        containers.track(container);
        containerIds.add(container);
      }
    }
    keptError(item, "error: ");
    if (item.isBuildSuccessIndicated() && item.getImageId() != null) {
      imageId = item.getImageId();
    }
  }

  /** The built image's ID, or null. */
  String imageId() {
    return imageId;
  }

  int cachedSteps() {
    return cachedSteps;
  }

  /** The build containers seen so far. */
  List<String> containerIds() {
    return List.copyOf(containerIds);
  }
}
