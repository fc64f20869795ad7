package io.blacktree.e2e.faults;

import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The build worker of a {@link FaultStack}, seen directly (not through the link proxy): its {@code GetStatus}
 * on demand, and a watcher thread that polls it every 100 ms and records the steps each worker job ID went
 * through, so {@link #builds} tells how many times a workflow's build ran. It survives worker restarts on the
 * same port.
 */
final class WorkerObserver implements AutoCloseable {
  private final ManagedChannel channel;
  private final Map<String, Set<Step>> stepsByJobId = new ConcurrentHashMap<>();
  private final Thread watcher;
  private volatile boolean watching = true;

  /** A channel to the worker on {@code workerPort}; the watcher starts with {@link #startWatching()}. */
  WorkerObserver(int workerPort) {
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", workerPort).usePlaintext().build();
    this.watcher = new Thread(this::watch, "fault-stack-watcher");
    watcher.setDaemon(true);
  }

  void startWatching() {
    watcher.start();
  }

  WorkerStatus status() {
    return WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .getStatus(GetStatusRequest.getDefaultInstance());
  }

  boolean isFree() {
    try {
      return status().getState() == WorkerState.FREE;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** Whether the worker runs a job of {@code job} in {@code step} now. */
  boolean isIn(Job job, Step step) {
    try {
      WorkerStatus s = status();
      return s.getState() == WorkerState.BUSY && s.getJobId().startsWith(job.workflowId + "/")
          && s.getStep() == step;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** How many worker jobs of {@code job} were seen building: one per build that ran. */
  long builds(Job job) {
    return stepsByJobId.entrySet().stream()
        .filter(e -> e.getKey().startsWith(job.workflowId + "/") && e.getValue().contains(Step.BUILDING))
        .count();
  }

  /** The worker job IDs of {@code job} and the steps seen for each, for failure messages. */
  Map<String, Set<Step>> stepsSeen(Job job) {
    Map<String, Set<Step>> out = new LinkedHashMap<>();
    stepsByJobId.forEach((k, v) -> {
      if (k.startsWith(job.workflowId + "/")) {
        out.put(k, v);
      }
    });
    return out;
  }

  private void watch() {
    while (watching) {
      try {
        WorkerStatus s = status();
        if (s.getState() == WorkerState.BUSY && !s.getJobId().isEmpty()) {
          stepsByJobId.computeIfAbsent(s.getJobId(), k -> Collections.synchronizedSet(EnumSet.noneOf(Step.class)))
              .add(s.getStep());
        }
      } catch (RuntimeException e) {
        // worker restarting or closing
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Stops the watcher and shuts the channel down. */
  @Override
  public void close() {
    watching = false;
    watcher.interrupt();
    channel.shutdownNow();
  }
}
