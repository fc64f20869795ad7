package io.blacktree.e2e.soak;

import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.blacktree.testsupport.TestIds;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The soak's build workers: {@code count} {@code blacktree worker} processes, each on a fixed port and workdir
 * (so a restarted worker is the same worker), building with the engine builder on the soak's private dockerd
 * and pushing to the shared open registry. Reads each one's state over gRPC for the leftover checks.
 */
final class SoakWorkers implements AutoCloseable {
  private final TestIds ids;
  private final Path dir;
  private final String registry;
  private final String gitBaseUrl;
  private final String dockerHost;
  private final List<Integer> ports = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<ComponentProcess> processes = new ArrayList<>();
  private final int[] starts;

  SoakWorkers(TestIds ids, Path dir, int count, String registry, String gitBaseUrl, String dockerHost)
      throws IOException {
    this.ids = ids;
    this.dir = dir;
    this.registry = registry;
    this.gitBaseUrl = gitBaseUrl;
    this.dockerHost = dockerHost;
    this.starts = new int[count];
    for (int i = 0; i < count; i++) {
      int port = ComponentProcess.freePort();
      ports.add(port);
      Files.createDirectories(workdir(i));
      channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
      processes.add(null);
    }
  }

  int count() {
    return ports.size();
  }

  /** {@code 127.0.0.1:<port>} of worker {@code i}. */
  String address(int i) {
    return "127.0.0.1:" + ports.get(i);
  }

  int port(int i) {
    return ports.get(i);
  }

  Path workdir(int i) {
    return dir.resolve("work-" + i);
  }

  /** Starts worker {@code i} (again) and waits until its port answers. */
  void start(int i) {
    starts[i]++;
    String id = ids.name("worker" + i);
    ComponentProcess p = ComponentProcess.blacktree(id + "-" + starts[i], List.of("worker",
        "--port", Integer.toString(ports.get(i)), "--workdir", workdir(i).toString(),
        "--git-cache-dir", dir.resolve("git-cache-" + i).toString(),
        "--registry", "none", "--registry-url", registry,
        "--git-base-url", gitBaseUrl, "--worker-id", id, "--docker-host", dockerHost,
        "--job-time-limit", "PT5M", "--grace", "PT30S", "--push-attempts", "8",
        // the engine builder on the soak's own dockerd: a killed worker's build is stopped by that engine
        // (forcerm), and what is left on it can be checked; the shared buildkitd is not the soak's to check
        "--builder", "engine"));
    processes.set(i, p);
    p.awaitPort(ports.get(i), Duration.ofSeconds(90));
  }

  /** SIGKILL to worker {@code i}. */
  void kill(int i) {
    processes.get(i).kill();
  }

  ComponentProcess process(int i) {
    return processes.get(i);
  }

  WorkerStatus status(int i) {
    return WorkerGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(5, TimeUnit.SECONDS)
        .getStatus(GetStatusRequest.getDefaultInstance());
  }

  boolean free(int i) {
    try {
      return status(i).getState() == WorkerState.FREE;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Job workspaces ({@code job-*}) left under worker {@code i}'s workdir. */
  List<Path> workspaces(int i) {
    try (Stream<Path> s = Files.list(workdir(i))) {
      return s.filter(p -> p.getFileName().toString().startsWith("job-")).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
    for (ComponentProcess p : processes) {
      if (p != null) {
        p.close();
      }
    }
  }
}
