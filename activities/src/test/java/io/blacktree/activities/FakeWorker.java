package io.blacktree.activities;

import io.blacktree.proto.worker.v1.CancelJobRequest;
import io.blacktree.proto.worker.v1.CancelJobResponse;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.LogLine;
import io.blacktree.proto.worker.v1.ReuseSummary;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.proto.worker.v1.StepStarted;
import io.blacktree.proto.worker.v1.WatchJobRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The Worker contract, scripted, on a real port: RunJob runs {@code steps} with {@code lines} log lines
 * each, {@code stepMillis} apart, then answers {@code result}; CancelJob stops it. Optionally the first
 * RunJob call fails UNAVAILABLE (a dropped connection) while the job keeps running.
 */
final class FakeWorker extends WorkerGrpc.WorkerImplBase implements AutoCloseable {
  final List<String> runJobIds = new CopyOnWriteArrayList<>();
  final List<String> cancelled = new CopyOnWriteArrayList<>();
  final List<JobEvent> events = new CopyOnWriteArrayList<>();
  volatile JobResponse result = JobResponse.newBuilder().setStatus(JobResponse.Status.SUCCESS)
      .setImageUrl("127.0.0.1:5000/app:v1").setDigest("sha256:abc")
      .setReuse(ReuseSummary.newBuilder().setCachedBuildSteps(3).setRemoteCachedBuildSteps(2)
          .setLayersAlreadyInRegistry(1).setLayersPushed(1).setMirrorHit(true)).build();
  volatile int linesPerStep = 3;
  volatile long stepMillis = 500;
  volatile boolean dropFirstCall;
  private volatile String running;
  private volatile CountDownLatch done = new CountDownLatch(0);
  private final Server server;

  FakeWorker() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this).build().start();
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  void stop() {
    server.shutdownNow();
  }

  @Override
  public void runJob(JobRequest req, StreamObserver<JobResponse> out) {
    runJobIds.add(req.getJobId());
    synchronized (this) {
      if (running == null) {
        running = req.getJobId();
        done = new CountDownLatch(1);
        Thread t = new Thread(() -> execute(req.getJobId()));
        t.setDaemon(true);
        t.start();
      } else if (!running.equals(req.getJobId())) {
        out.onError(Status.RESOURCE_EXHAUSTED.withDescription("busy with " + running).asRuntimeException());
        return;
      }
    }
    if (dropFirstCall && runJobIds.size() == 1) {
      sleep(700);
      out.onError(Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());
      return;
    }
    try {
      done.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.onNext(cancelled.isEmpty() ? result.toBuilder().setJobId(req.getJobId()).build()
        : JobResponse.newBuilder().setStatus(JobResponse.Status.CANCELLED).build());
    out.onCompleted();
  }

  private void execute(String jobId) {
    long seq = 1;
    for (Step step : List.of(Step.CLONING, Step.BUILDING, Step.PUSHING)) {
      if (!cancelled.isEmpty()) {
        break;
      }
      events.add(JobEvent.newBuilder().setSequence(seq++)
          .setStepStarted(StepStarted.newBuilder().setStep(step)).build());
      for (int i = 0; i < linesPerStep; i++) {
        events.add(JobEvent.newBuilder().setSequence(seq++)
            .setLog(LogLine.newBuilder().setLine(step + " line " + i + " " + "x".repeat(90))).build());
      }
      sleep(stepMillis);
    }
    synchronized (this) {
      running = null;
    }
    done.countDown();
  }

  @Override
  public void watchJob(WatchJobRequest req, StreamObserver<JobEvent> out) {
    long next = req.getFromSequence();
    while (true) {
      List<JobEvent> snapshot = new ArrayList<>(events);
      for (JobEvent e : snapshot) {
        if (e.getSequence() >= next) {
          out.onNext(e);
          next = e.getSequence() + 1;
        }
      }
      if (done.getCount() == 0 && running == null) {
        out.onCompleted();
        return;
      }
      sleep(50);
    }
  }

  @Override
  public void getStatus(GetStatusRequest req, StreamObserver<WorkerStatus> out) {
    String job = running;
    out.onNext(WorkerStatus.newBuilder().setState(job == null ? WorkerState.FREE : WorkerState.BUSY)
        .setJobId(job == null ? "" : job).setWorkerId("fake").build());
    out.onCompleted();
  }

  @Override
  public void cancelJob(CancelJobRequest req, StreamObserver<CancelJobResponse> out) {
    cancelled.add(req.getJobId());
    try {
      done.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.onNext(CancelJobResponse.newBuilder().setCancelled(true).build());
    out.onCompleted();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
