package io.blacktree.bench;

import io.blacktree.proto.worker.v1.CancelJobRequest;
import io.blacktree.proto.worker.v1.CancelJobResponse;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.proto.worker.v1.StepDuration;
import io.blacktree.proto.worker.v1.StepStarted;
import io.blacktree.proto.worker.v1.WatchJobRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A STAND-IN for the build worker, for the orchestration benchmarks only: it implements the Worker gRPC
 * contract (RunJob, WatchJob, GetStatus, CancelJob; one job at a time, idempotent by job_id) but builds
 * nothing: a job "runs" for a fixed delay and answers SUCCESS with one BUILDING step of the measured length.
 * It records when each job ran (busy intervals) and when a cancelled job let the worker go FREE.
 */
final class StandInWorker implements AutoCloseable {
  /** One job as this stand-in ran it (wall clock millis). */
  record Run(String jobId, String workflowId, long startMillis, long endMillis, boolean cancelled) {}

  private final String id;
  private final long delayMillis;
  private final Server server;
  private final Object lock = new Object();
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final List<Run> runs = new CopyOnWriteArrayList<>();
  private Job current;

  private static final class Job {
    final JobRequest request;
    final long delay;
    final CountDownLatch done = new CountDownLatch(1);
    final CountDownLatch cancel = new CountDownLatch(1);
    volatile JobResponse response;

    Job(JobRequest request, long delay) {
      this.request = request;
      this.delay = delay;
    }
  }

  StandInWorker(String id, long delayMillis) throws IOException {
    this.id = id;
    this.delayMillis = delayMillis;
    this.server = NettyServerBuilder.forPort(0).addService(new Service()).build().start();
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  List<Run> runs() {
    return List.copyOf(runs);
  }

  boolean busyWith(String workflowIdPrefix) {
    synchronized (lock) {
      return current != null && current.request.getWorkflowId().startsWith(workflowIdPrefix);
    }
  }

  /** Simulates a killed worker: the server goes away at once, running calls fail. */
  void kill() {
    server.shutdownNow();
    synchronized (lock) {
      if (current != null) {
        current.cancel.countDown();
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** The delay a job runs for: {@code delay_ms} build arg when given, else this stand-in's default. */
  private long delayOf(JobRequest r) {
    String d = r.getBuildArgsMap().get("STANDIN_DELAY_MS");
    return d == null ? delayMillis : Long.parseLong(d);
  }

  private void execute(Job job) {
    long start = System.currentTimeMillis();
    boolean cancelled;
    try {
      cancelled = job.cancel.await(job.delay, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancelled = true;
    }
    long end = System.currentTimeMillis();
    JobResponse.Builder b = JobResponse.newBuilder()
        .setJobId(job.request.getJobId())
        .setWorkerId(id)
        .addStepDurations(StepDuration.newBuilder().setStep(Step.BUILDING).setMillis(end - start));
    if (cancelled) {
      b.setStatus(JobResponse.Status.CANCELLED).setErrorKind(io.blacktree.proto.worker.v1.ErrorKind.CANCELLED)
          .setErrorMessage("cancelled (stand-in)");
    } else {
      b.setStatus(JobResponse.Status.SUCCESS)
          .setImageUrl("standin.invalid/" + job.request.getEcrRepo() + ":" + job.request.getDeploymentVersion())
          .setDigest("sha256:" + "0".repeat(64))
          .setCommitSha("0".repeat(40))
          .addTags(job.request.getDeploymentVersion())
          .setLogs("stand-in worker: no build, fixed delay " + job.delay + " ms");
    }
    job.response = b.build();
    synchronized (lock) {
      if (current == job) {
        current = null;
      }
    }
    runs.add(new Run(job.request.getJobId(), job.request.getWorkflowId(), start, System.currentTimeMillis(),
        cancelled));
    job.done.countDown();
  }

  private final class Service extends WorkerGrpc.WorkerImplBase {
    @Override
    public void runJob(JobRequest request, StreamObserver<JobResponse> out) {
      Job job;
      boolean fresh = false;
      synchronized (lock) {
        job = jobs.get(request.getJobId());
        if (job == null) {
          if (current != null) {
            out.onError(Status.RESOURCE_EXHAUSTED.withDescription("busy with " + current.request.getJobId())
                .asRuntimeException());
            return;
          }
          job = new Job(request, delayOf(request));
          jobs.put(request.getJobId(), job);
          current = job;
          fresh = true;
        }
      }
      if (fresh) {
        Job j = job;
        Thread t = new Thread(() -> execute(j), "standin-" + id);
        t.setDaemon(true);
        t.start();
      }
      try {
        job.done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      out.onNext(job.response);
      out.onCompleted();
    }

    @Override
    public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> out) {
      Job job = null;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (job == null && System.nanoTime() < until) {
        job = jobs.get(request.getJobId());
        if (job == null) {
          sleep(20);
        }
      }
      if (job == null) {
        out.onError(Status.NOT_FOUND.withDescription("unknown job").asRuntimeException());
        return;
      }
      if (request.getFromSequence() <= 1) {
        out.onNext(JobEvent.newBuilder().setSequence(1).setTimestampMillis(System.currentTimeMillis())
            .setStepStarted(StepStarted.newBuilder().setStep(Step.BUILDING)).build());
      }
      try {
        job.done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      out.onNext(JobEvent.newBuilder().setSequence(2).setTimestampMillis(System.currentTimeMillis())
          .setFinal(job.response).build());
      out.onCompleted();
    }

    @Override
    public void getStatus(GetStatusRequest request, StreamObserver<WorkerStatus> out) {
      WorkerStatus.Builder b = WorkerStatus.newBuilder().setWorkerId(id).setVersion("stand-in");
      synchronized (lock) {
        if (current == null) {
          b.setState(WorkerState.FREE);
        } else {
          b.setState(WorkerState.BUSY).setJobId(current.request.getJobId()).setStep(Step.BUILDING);
        }
      }
      out.onNext(b.build());
      out.onCompleted();
    }

    @Override
    public void cancelJob(CancelJobRequest request, StreamObserver<CancelJobResponse> out) {
      Job job = jobs.get(request.getJobId());
      if (job == null || job.response != null) {
        out.onNext(CancelJobResponse.newBuilder().setCancelled(false).build());
        out.onCompleted();
        return;
      }
      job.cancel.countDown();
      try {
        job.done.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      out.onNext(CancelJobResponse.newBuilder().setCancelled(true).setFinal(job.response).build());
      out.onCompleted();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
