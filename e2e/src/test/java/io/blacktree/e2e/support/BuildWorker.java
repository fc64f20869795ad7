package io.blacktree.e2e.support;

import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One build worker of a {@link DeployJobStack}: a {@code blacktree worker} process, restartable on the same port
 * and workdir, and a channel to its {@code GetStatus}.
 */
public final class BuildWorker implements AutoCloseable {
  public final String id;
  private final int port;
  private final List<String> args;
  private final ManagedChannel channel;
  private ComponentProcess process;
  private int starts;

  /** A worker {@code id} on {@code port} (not started), pushing to {@code registryUrl}, cloning from git. */
  BuildWorker(String id, int port, Path workdir, String registryUrl, String gitBaseUrl) {
    this.id = id;
    this.port = port;
    this.args = List.of("worker",
        "--port", Integer.toString(port), "--workdir", workdir.toString(),
        "--registry", "none", "--registry-url", registryUrl,
        "--git-base-url", gitBaseUrl, "--worker-id", id,
        "--job-time-limit", "PT5M", "--grace", "PT60S",
        // the engine builder: these tests kill and cancel the engine's RUN containers and run the images it
        // keeps; the BuildKit builder's own cases are worker-grpc's WorkerBuildKitIT and the corpus
        "--builder", "engine");
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  /** The current (last started) process. */
  public ComponentProcess process() {
    return process;
  }

  /** Starts (again) the worker and waits for its port. */
  public void start() {
    starts++;
    process = ComponentProcess.blacktree(id + "-" + starts, args);
    process.awaitPort(port, Duration.ofSeconds(60));
  }

  WorkerStatus status() {
    return WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getStatus(GetStatusRequest.getDefaultInstance());
  }

  public boolean isFree() {
    try {
      return status().getState() == WorkerState.FREE;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** Whether the worker is BUSY with a job of {@code workflowId}. */
  public boolean isRunning(String workflowId) {
    try {
      WorkerStatus s = status();
      return s.getState() == WorkerState.BUSY && s.getJobId().startsWith(workflowId + "/");
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** Stops the process (if started) and the channel. */
  @Override
  public void close() {
    try {
      if (process != null) {
        process.close();
      }
    } catch (Exception e) {
      // stopping anyway
    } finally {
      channel.shutdownNow();
    }
  }
}
