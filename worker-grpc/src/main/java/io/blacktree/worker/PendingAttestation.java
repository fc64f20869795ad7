package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.worker.provenance.AttestationStore;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.MDC;

/**
 * One job's provenance attestation ({@link ProvenanceStep}), made on a helper thread beside the builder's publishing
 * so that its registry requests do not follow the tags: started when the builder says the image is in the registry
 * ({@link ImageBuilder.Steps#pushed}: the envelope is signed and its blobs uploaded while the version tag is
 * checked), stored once the builder hands over the image's manifest after the version tag's rules passed
 * ({@link ImageBuilder.Steps#publishing}), while the tags are pointed. The job's answer still waits for it: a job
 * succeeds only with its image attested. An image that was not announced and handed over this way (the engine
 * builder; this job's own earlier attempt) is attested once the builder returned. The helper thread carries the job
 * thread's logging fields.
 */
final class PendingAttestation {
  private final ProvenanceStep provenance;
  private final ExecutorService executor;
  private final JobSpec spec;
  private final StepControl control;
  private final Workspace ws;
  private final Revision revision;
  private final Instant startedOn;
  private final CompletableFuture<AttestationStore.Manifest> subject = new CompletableFuture<>();
  private String startedFor;
  private Future<ProvenanceStep.Attested> running;

  PendingAttestation(ProvenanceStep provenance, ExecutorService executor, JobSpec spec, StepControl control,
      Workspace ws, Revision revision, Instant startedOn) {
    this.provenance = provenance;
    this.executor = executor;
    this.spec = spec;
    this.control = control;
    this.ws = ws;
    this.revision = revision;
    this.startedOn = startedOn;
  }

  /** Starts attesting {@code digest} on the helper thread, up to the point where it needs the manifest; once. */
  synchronized void start(String digest) {
    if (running != null) {
      return;
    }
    startedFor = digest;
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    running = executor.submit(() -> {
      if (mdc != null) {
        MDC.setContextMap(mdc);
      }
      try {
        return provenance.run(spec, control, ws, revision, digest, this::awaitSubject, startedOn);
      } finally {
        MDC.clear();
      }
    });
  }

  /** Hands over the manifest of the image started for; another image's is ignored (attested after the builder). */
  synchronized void publish(AttestationStore.Manifest image) {
    if (image.digest().equals(startedFor)) {
      subject.complete(image);
    }
  }

  private AttestationStore.Manifest awaitSubject() throws JobFailure {
    try {
      return subject.get();
    } catch (ExecutionException | CancellationException e) {
      throw new JobFailure(ErrorKind.INTERNAL, "the job publishes no image to attest under " + startedFor, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobFailure(ErrorKind.INTERNAL, "interrupted while attesting", e);
    }
  }

  /**
   * The attestation of {@code published}, the digest the builder returned: the one made beside the publishing when
   * it was handed that image's manifest, else one made now.
   */
  ProvenanceStep.Attested await(String published) throws JobFailure {
    Future<ProvenanceStep.Attested> started;
    synchronized (this) {
      started = published.equals(startedFor) && subject.isDone() && !subject.isCompletedExceptionally()
          ? running : null;
    }
    if (started == null) {
      finish();
      return provenance.run(spec, control, ws, revision, published, startedOn);
    }
    try {
      return started.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof JobFailure f) {
        throw f;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("attesting failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobFailure(ErrorKind.INTERNAL, "interrupted while attesting", e);
    }
  }

  /**
   * Ends an attestation started beside the publishing that is no longer needed (the job failed, or returned another
   * image) and waits until it has, so that none of its requests outlives the job's answer.
   */
  void finish() {
    Future<ProvenanceStep.Attested> started;
    synchronized (this) {
      subject.cancel(false);
      started = running;
    }
    if (started == null) {
      return;
    }
    try {
      started.get();
    } catch (ExecutionException | CancellationException e) {
      // not needed any more, or already awaited
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
