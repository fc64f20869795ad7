package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.proto.worker.v1.Attestation;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.ReuseSummary;
import io.blacktree.proto.worker.v1.Step;
import io.blacktree.proto.worker.v1.StepDuration;
import io.blacktree.worker.provenance.AttestationStore;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one job: a fresh workspace, then clone, then the Dockerfile's remote sources checked
 * ({@link RemoteSourcePolicy}, whichever builder follows), then the {@link ImageBuilder} chosen for the job (build, login,
 * push, as it orders them), then the {@link ProvenanceStep} (attests the pushed digest, whichever builder built
 * it; from the moment the builder names that image, beside the builder's tagging: {@link PendingAttestation}),
 * then cleanup (the builder's own clean-up, such as pruning the engine's image cache, runs after the job
 * answered, before the next one builds). The job's workspace is removed in every outcome, after the answer: the
 * {@link Outcome} carries that removal, which {@link JobRegistry} runs while the worker is still BUSY. It only
 * sequences the steps and turns their outcome into the response; a stop (cancel, time limit, orphan) wins over
 * whatever failure the interrupted step reported. Each step gets the job's immutable {@link JobSpec} and its
 * {@link StepControl} (log, stop, deadline), and returns a record of what it did; only the runner records step
 * events and writes the response. The worker's own log gets one line at the start
 * ({@code job <id> started}) and one at the end ({@code job <id> finished <status> <kind> in <ms> ms}). Every
 * line this thread logs during the job carries the MDC fields {@code workflow_id}, {@code job_id},
 * {@code attempt} and {@code worker}; the {@link JobObserver} sees the job's start, each step and its end.
 */
final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  private final CloneStep clone;
  private final RemoteSourcePolicy sources;
  private final BuilderChoice builders;
  private final ProvenanceStep provenance;
  private final Path workdir;
  private final String workerId;
  private final JobObserver observer;
  /**
   * The helper thread of {@link PendingAttestation} (with the job's trace context): one job at a time, so one
   * thread, which ends when idle.
   */
  private final ExecutorService attestations = Context.taskWrapping(new ThreadPoolExecutor(0, 1, 60, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "blacktree-attest");
        t.setDaemon(true);
        return t;
      }));

  JobRunner(CloneStep clone, RemoteSourcePolicy sources, BuilderChoice builders, ProvenanceStep provenance,
      Path workdir, String workerId, JobObserver observer) {
    this.clone = clone;
    this.sources = sources;
    this.builders = builders;
    this.provenance = provenance;
    this.workdir = workdir;
    this.workerId = workerId;
    this.observer = observer;
  }

  /**
   * A finished job: the response to answer with, and the removal of its workspace, to run after the answer and
   * before the worker takes another job (removing a checkout of many files is disk-bound; nobody waits for it).
   */
  record Outcome(JobResponse response, Runnable removeWorkspace) {}

  /** What the steps produced: the response, the bytes uploaded to the registry (for the observer), the workspace. */
  private record Ran(JobResponse response, long bytesPushed, Workspace workspace) {}

  /** Runs the job to its answer; never throws. */
  Outcome run(Job job) {
    long started = System.nanoTime();
    JobSpec spec = job.spec();
    JobObserver.JobInfo info = new JobObserver.JobInfo(spec.jobId(), spec.workflowId(), spec.attempt(), workerId);
    MDC.put("workflow_id", info.workflowId());
    MDC.put("job_id", info.jobId());
    MDC.put("attempt", Integer.toString(info.attempt()));
    MDC.put("worker", workerId);
    try {
      LOG.info("job {} started", job.jobId());
      observer.jobStarted(info);
      Ran ran = runSteps(job, info);
      JobResponse response = ran.response();
      long millis = (System.nanoTime() - started) / 1_000_000;
      LOG.info("job {} finished {} {} in {} ms", job.jobId(), response.getStatus(),
          response.getStatus() == JobResponse.Status.SUCCESS ? "-" : response.getErrorKind(), millis);
      observer.jobFinished(info, new JobObserver.JobEnd(response, millis, ran.bytesPushed()));
      return new Outcome(response, () -> remove(ran.workspace(), job.jobId()));
    } finally {
      MDC.remove("workflow_id");
      MDC.remove("job_id");
      MDC.remove("attempt");
      MDC.remove("worker");
    }
  }

  private Ran runSteps(Job job, JobObserver.JobInfo info) {
    JobSpec spec = job.spec();
    JobResponse.Builder out = JobResponse.newBuilder().setJobId(job.jobId()).setWorkerId(workerId);
    Workspace ws = null;
    PendingAttestation attestation = null;
    ImageBuilder builder = builders.forJob(job::log);
    Instant startedOn = Instant.now();
    long bytesPushed = 0;
    try {
      builder.beforeJob(job::log);
      ws = createWorkspace(clone.keptTree(spec));
      Workspace w = ws;
      job.checkStopped();
      CloneStep.Checkout checkout = step(job, info, Step.CLONING, () -> clone.run(spec, job, w));
      String sha = checkout.sha();
      out.setCommitSha(sha);
      job.checkStopped();
      URI cloneUrl = clone.cloneUrl(spec);
      sources.check(spec, w); // before any builder: nothing the Dockerfile names has been fetched yet
      Revision revision = new Revision(sha, cloneUrl);
      attestation = new PendingAttestation(provenance, attestations, spec, job, w, revision, startedOn);
      Published published = builder.run(spec, job, w, revision, new StepRecorder(job, info, attestation));
      bytesPushed = published.bytesUploaded();
      job.checkStopped();
      ProvenanceStep.Attested attested = attestation.await(published.digest());
      out.setStatus(JobResponse.Status.SUCCESS)
          .setAttestation(Attestation.newBuilder().setDigest(attested.digest()).setReference(attested.reference())
              .setSigned(attested.signed()).setReferrer(attested.referrer()))
          .setImageUrl(published.imageUrl())
          .setDigest(published.digest())
          .addAllTags(published.tags())
          .setReuse(reuse(job, checkout, published));
    } catch (JobFailure f) {
      fail(job, out, f.kind(), f.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("job {} failed unexpectedly", job.jobId(), e);
      fail(job, out, ErrorKind.INTERNAL, "internal error: " + e.getClass().getSimpleName());
    } finally {
      if (attestation != null) {
        attestation.finish();
      }
      cleanup(job, info, builder);
    }
    job.durations().forEach((s, ms) -> out.addStepDurations(StepDuration.newBuilder().setStep(s).setMillis(ms)));
    return new Ran(out.setLogs(job.logBuffer().render()).build(), bytesPushed, ws);
  }

  /** What the git cache, the layer cache and the registry saved; also logged as one {@code reuse:} line. */
  private static ReuseSummary reuse(StepControl job, CloneStep.Checkout checkout, Published pushed) {
    ReuseSummary.Builder r = ReuseSummary.newBuilder()
        .setAlreadyPushed(pushed.alreadyPushed())
        .setCachedBuildSteps(pushed.cachedSteps())
        .setRemoteCachedBuildSteps(pushed.remoteCachedSteps())
        .setLayersAlreadyInRegistry(pushed.layersExisting())
        .setLayersPushed(pushed.layersUploaded());
    GitMirrorCache.Result m = checkout.mirror();
    String git = "no git cache";
    if (m != null) {
      r.setMirrorHit(m.hit()).setBytesFetched(m.bytesFetched()).setObjectsFetched(m.objectsFetched())
          .setMirrorHealed(m.healed());
      git = "mirror " + (m.hit() ? "hit" : m.healed() ? "miss (healed)" : "miss") + ", fetched " + m.bytesFetched()
          + " bytes (" + m.objectsFetched() + " objects)";
    }
    job.log("reuse: " + git + ", " + pushed.cachedSteps() + " cached steps (" + pushed.remoteCachedSteps()
        + " from the registry cache), " + pushed.layersExisting()
        + " layers already in registry, " + pushed.layersUploaded() + " layers pushed"
        + (pushed.alreadyPushed() ? ", image already pushed" : "") + ", built by " + pushed.builder());
    return r.build();
  }

  private Workspace createWorkspace(Path keptTree) throws JobFailure {
    try {
      return Workspace.create(workdir, keptTree);
    } catch (IOException e) {
      ErrorKind kind = ErrorClassifier.localIo(e);
      throw new JobFailure(kind, "could not create the workspace", e);
    }
  }

  /**
   * The builder's view of the runner: its steps become this job's events ({@link #step}), and the image it announces
   * is attested beside its publishing ({@link PendingAttestation}).
   */
  private final class StepRecorder implements ImageBuilder.Steps {
    private final Job job;
    private final JobObserver.JobInfo info;
    private final PendingAttestation attestation;

    StepRecorder(Job job, JobObserver.JobInfo info, PendingAttestation attestation) {
      this.job = job;
      this.info = info;
      this.attestation = attestation;
    }

    @Override
    public <T> T run(Step s, ImageBuilder.StepBody<T> body) throws JobFailure {
      return step(job, info, s, body);
    }

    @Override
    public void pushed(String digest) {
      attestation.start(digest);
    }

    @Override
    public void publishing(AttestationStore.Manifest image) {
      attestation.publish(image);
    }
  }

  private <T> T step(Job job, JobObserver.JobInfo info, Step step, ImageBuilder.StepBody<T> body)
      throws JobFailure {
    long start = System.nanoTime();
    job.stepStarted(step);
    observer.stepStarted(info, step);
    ErrorKind failure = ErrorKind.INTERNAL;
    try {
      T out = body.run();
      failure = null;
      return out;
    } catch (JobFailure f) {
      failure = f.kind();
      throw f;
    } finally {
      long millis = (System.nanoTime() - start) / 1_000_000;
      job.stepFinished(step, millis);
      observer.stepFinished(info, step, millis, failure);
    }
  }

  private static void fail(Job job, JobResponse.Builder out, ErrorKind reported, String message) {
    ErrorKind stop = job.stopKind();
    ErrorKind kind = stop != null ? stop : reported;
    String text = job.redactor().redact(stop != null ? job.stopped().getMessage() : message);
    job.log("job failed: " + kind + ": " + text);
    out.setStatus(kind == ErrorKind.CANCELLED ? JobResponse.Status.CANCELLED : JobResponse.Status.FAILED)
        .setErrorKind(ProtoKinds.toProto(kind))
        .setRetryable(kind.retryable())
        .setErrorMessage(text);
  }

  private void cleanup(Job job, JobObserver.JobInfo info, ImageBuilder builder) {
    long start = System.nanoTime();
    job.stepStarted(Step.CLEANING_UP);
    observer.stepStarted(info, Step.CLEANING_UP);
    builder.afterJob();
    long millis = (System.nanoTime() - start) / 1_000_000;
    job.stepFinished(Step.CLEANING_UP, millis);
    observer.stepFinished(info, Step.CLEANING_UP, millis, null);
  }

  /**
   * Removes a finished job's workspace (null: none was made). Runs after the answer, so a failure goes to the
   * worker's log; the worker's next start removes whatever is left ({@link Workspace#removeStale}).
   */
  private static void remove(Workspace ws, String jobId) {
    if (ws == null) {
      return;
    }
    long start = System.nanoTime();
    try {
      ws.close();
      LOG.debug("job {} workspace removed in {} ms", jobId, (System.nanoTime() - start) / 1_000_000);
    } catch (RuntimeException e) {
      LOG.warn("job {} workspace not removed: {}", jobId, e.getMessage());
    }
  }
}
