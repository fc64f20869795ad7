package io.blacktree.worker;

import io.blacktree.core.SecretRedactor;
import io.blacktree.proto.worker.v1.CancelJobRequest;
import io.blacktree.proto.worker.v1.CancelJobResponse;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.WatchJobRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.proto.worker.v1.WorkerStatus;
import io.blacktree.core.ErrorKind;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The worker's gRPC API. {@code RunJob}: validation ({@code INVALID_ARGUMENT} naming every bad field, nothing
 * cloned), then the lock ({@code RESOURCE_EXHAUSTED} naming the running job), re-attach by {@code job_id},
 * or the cached result. Handlers block on the job (gRPC's handler executor is a cached pool) and check
 * whether their caller is still there between waits; a caller that leaves is detached, never a cancel.
 */
final class WorkerService extends WorkerGrpc.WorkerImplBase {
  static final long KEEPALIVE_MILLIS = 5_000;
  private static final long CANCEL_WAIT_MILLIS = 120_000;

  private final JobSpecs specs;
  private final JobRegistry registry;
  private final Supplier<SecretRedactor> redactors;
  private final String workerId;
  private final String version;
  private final Clock clock;

  WorkerService(JobSpecs specs, JobRegistry registry, Supplier<SecretRedactor> redactors, String workerId,
      String version, Clock clock) {
    this.specs = specs;
    this.registry = registry;
    this.redactors = redactors;
    this.workerId = workerId;
    this.version = version;
    this.clock = clock;
  }

  @Override
  public void runJob(JobRequest request, StreamObserver<JobResponse> out) {
    try {
      run(request, out);
    } catch (RuntimeException | LinkageError e) {
      out.onError(Status.INTERNAL.withDescription("worker error: " + e.getClass().getSimpleName()).asRuntimeException());
    }
  }

  private void run(JobRequest request, StreamObserver<JobResponse> out) {
    JobSpecs.Converted converted = specs.fromProto(request);
    if (converted instanceof JobSpecs.Converted.Invalid invalid) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("invalid request: "
          + String.join("; ", invalid.violations())).asRuntimeException());
      return;
    }
    JobSpec spec = ((JobSpecs.Converted.Valid) converted).spec();
    JobRegistry.Admission admission = registry.admit(new Job(spec, clock.instant(), redactors.get()));
    Job job;
    if (admission instanceof JobRegistry.Admission.Busy busy) {
      out.onError(Status.RESOURCE_EXHAUSTED.withDescription("worker " + workerId + " is busy with job "
          + busy.runningJobId()).asRuntimeException());
      return;
    } else if (admission instanceof JobRegistry.Admission.Finished f) {
      job = f.job();
    } else if (admission instanceof JobRegistry.Admission.Attached a) {
      job = a.job();
    } else {
      job = ((JobRegistry.Admission.Started) admission).job();
    }
    JobResponse response = awaitResult(job);
    if (response != null) {
      out.onNext(response);
      out.onCompleted();
    }
  }

  /** Waits for the job's result while the caller stays; null if the caller left (detached, not cancelled). */
  private JobResponse awaitResult(Job job) {
    registry.attach(job);
    try {
      while (!Context.current().isCancelled()) {
        JobResponse r = job.awaitResult(1_000);
        if (r != null) {
          return r;
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      registry.detach(job);
    }
  }

  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<JobEvent> out) {
    Optional<Job> found = registry.find(request.getJobId());
    if (found.isEmpty()) {
      out.onError(Status.NOT_FOUND.withDescription("no job " + request.getJobId() + " on worker " + workerId)
          .asRuntimeException());
      return;
    }
    Job job = found.get();
    registry.attach(job);
    try {
      stream(job, Math.max(1, request.getFromSequence()), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      registry.detach(job);
    }
  }

  private void stream(Job job, long from, StreamObserver<JobEvent> out) throws InterruptedException {
    long next = from;
    long lastSent = System.currentTimeMillis();
    while (!Context.current().isCancelled()) {
      for (JobEvent e : job.eventsFrom(next)) {
        out.onNext(e);
        next = e.getSequence() + 1;
        lastSent = System.currentTimeMillis();
        if (e.hasFinal()) {
          out.onCompleted();
          return;
        }
      }
      long wait = KEEPALIVE_MILLIS - (System.currentTimeMillis() - lastSent);
      if (wait <= 0 || !job.awaitEvent(next, wait)) {
        if (System.currentTimeMillis() - lastSent >= KEEPALIVE_MILLIS) {
          out.onNext(job.keepalive());
          lastSent = System.currentTimeMillis();
        }
      }
    }
  }

  @Override
  public void getStatus(GetStatusRequest request, StreamObserver<WorkerStatus> out) {
    WorkerStatus.Builder b = WorkerStatus.newBuilder().setWorkerId(workerId).setVersion(version);
    registry.running().ifPresentOrElse(
        j -> b.setState(WorkerState.BUSY).setJobId(j.jobId()).setStep(j.step()),
        () -> b.setState(WorkerState.FREE));
    out.onNext(b.build());
    out.onCompleted();
  }

  /** Stops the running job with this id and answers once the worker is FREE (workspace gone, build stopped). */
  @Override
  public void cancelJob(CancelJobRequest request, StreamObserver<CancelJobResponse> out) {
    Optional<Job> found = registry.find(request.getJobId());
    CancelJobResponse.Builder b = CancelJobResponse.newBuilder();
    if (found.isPresent()) {
      Job job = found.get();
      boolean wasRunning = job.result() == null;
      job.stop(ErrorKind.CANCELLED, "cancelled by CancelJob");
      try {
        JobResponse r = job.awaitResult(CANCEL_WAIT_MILLIS);
        if (r == null || !registry.awaitReleased(job, CANCEL_WAIT_MILLIS)) {
          out.onError(Status.DEADLINE_EXCEEDED.withDescription("job " + job.jobId() + " did not stop in time")
              .asRuntimeException());
          return;
        }
        b.setCancelled(wasRunning && r.getStatus() == JobResponse.Status.CANCELLED).setFinal(r);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.onError(Status.CANCELLED.asRuntimeException());
        return;
      }
    }
    out.onNext(b.build());
    out.onCompleted();
  }
}
