package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Image;
import io.blacktree.core.Names;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the images this worker built (the layer cache that makes the next build fast) within a byte bound:
 * when their total size is over {@code maxBytes}, the least recently used are removed first (use = built or
 * pushed by this process; images from before the process start count by creation time). Only images with
 * the Blacktree workflow label are touched. Sizes are the engine's per-image sizes, so shared layers are
 * counted more than once: the bound is conservative. A removed image's unlabelled build image
 * ({@link ImageLabels#BUILT_FROM}, with its intermediate parents, the layer cache) goes with it unless another
 * labelled image still names it.
 *
 * <p>{@link #pruneLater} runs the pruning on its own thread after the job has answered (listing the engine's
 * images takes 0.5-1 s on a busy engine, which is no part of the job), and {@link #awaitIdle} lets the next job
 * start only when it is done, so pruning never runs beside a build.
 */
final class ImagePruner {
  private static final Logger LOG = LoggerFactory.getLogger(ImagePruner.class);
  private final DockerClient docker;
  private final long maxBytes;
  private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();
  private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "blacktree-image-pruner");
    t.setDaemon(true);
    return t;
  });
  private final Object idle = new Object();
  private int pending;

  ImagePruner(DockerClient docker, long maxBytes) {
    this.docker = docker;
    this.maxBytes = maxBytes;
  }

  void used(String imageId) {
    lastUsed.put(imageId, System.currentTimeMillis());
  }

  /** Runs {@link #prune} on the pruner's thread; the worker's log says what it removed. */
  void pruneLater(String keep) {
    synchronized (idle) {
      pending++;
    }
    background.execute(() -> {
      try {
        int removed = prune(keep);
        if (removed > 0) {
          LOG.info("pruned {} cached image(s)", removed);
        }
      } catch (RuntimeException e) {
        LOG.info("image prune skipped: {}", e.getClass().getSimpleName());
      } finally {
        synchronized (idle) {
          pending--;
          idle.notifyAll();
        }
      }
    });
  }

  /** Waits up to {@code bound} until no pruning runs or waits to run. */
  void awaitIdle(Duration bound) throws InterruptedException {
    long end = System.nanoTime() + bound.toNanos();
    synchronized (idle) {
      while (pending > 0) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
    }
  }

  /** Removes least recently used images until the total is within the bound; never {@code keep}. */
  int prune(String keep) {
    List<Image> images = docker.listImagesCmd().withLabelFilter(Names.LABEL_WORKFLOW_ID).exec();
    long total = images.stream().mapToLong(i -> i.getSize() == null ? 0 : i.getSize()).sum();
    if (total <= maxBytes) {
      return 0;
    }
    int removed = 0;
    Set<String> gone = new HashSet<>();
    List<Image> byAge = images.stream()
        .sorted(Comparator.comparingLong(this::lastUse))
        .toList();
    for (Image image : byAge) {
      if (total <= maxBytes) {
        break;
      }
      if (image.getId().equals(keep)) {
        continue;
      }
      try {
        docker.removeImageCmd(image.getId()).withForce(true).withNoPrune(false).exec();
        total -= image.getSize() == null ? 0 : image.getSize();
        lastUsed.remove(image.getId());
        removed++;
        gone.add(image.getId());
        removeBuildImage(image, images, gone);
      } catch (RuntimeException e) {
        LOG.info("image {} not pruned: {}", image.getId(), e.getClass().getSimpleName());
      }
    }
    return removed;
  }

  private void removeBuildImage(Image removed, List<Image> images, Set<String> gone) {
    String from = builtFrom(removed);
    if (from == null || images.stream().anyMatch(i -> !gone.contains(i.getId()) && from.equals(builtFrom(i)))) {
      return;
    }
    try {
      docker.removeImageCmd(from).withForce(false).withNoPrune(false).exec();
    } catch (RuntimeException e) {
      LOG.debug("build image {} kept: {}", from, e.getClass().getSimpleName());
    }
  }

  private static String builtFrom(Image image) {
    return image.getLabels() == null ? null : image.getLabels().get(ImageLabels.BUILT_FROM);
  }

  private long lastUse(Image image) {
    Long used = lastUsed.get(image.getId());
    return used != null ? used : (image.getCreated() == null ? 0 : image.getCreated() * 1000);
  }
}
