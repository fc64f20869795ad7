package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.worker.provenance.AttestationStore;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.MDC;

/**
 * One job's provenance attestation ({@link ProvenanceStep}), started on a helper thread as soon as the builder names
 * the image it publishes ({@link ImageBuilder.Steps#publishing}), so that its registry requests run while the
 * builder points the tags instead of after them. The job's answer still waits for it: a job succeeds only with its
 * image attested. An image the builder did not name early is attested once the builder returned. The helper thread
 * carries the job thread's logging fields.
 */
final class PendingAttestation {
  private final ProvenanceStep provenance;
  private final ExecutorService executor;
  private final JobSpec spec;
  private final StepControl control;
  private final Workspace ws;
  private final Revision revision;
  private final Instant startedOn;
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

  /** Starts attesting {@code image} on the helper thread; a second call is ignored. */
  synchronized void start(AttestationStore.Manifest image) {
    if (running != null) {
      return;
    }
    startedFor = image.digest();
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    running = executor.submit(() -> {
      if (mdc != null) {
        MDC.setContextMap(mdc);
      }
      try {
        return provenance.run(spec, control, ws, revision, image, startedOn);
      } finally {
        MDC.clear();
      }
    });
  }

  /**
   * The attestation of {@code published}, the digest the builder returned: the one started early when it names the
   * same image, else one made now.
   */
  ProvenanceStep.Attested await(String published) throws JobFailure {
    Future<ProvenanceStep.Attested> started;
    synchronized (this) {
      started = published.equals(startedFor) ? running : null;
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
   * Waits until an attestation started early has ended (the job failed after naming its image, or returned
   * another one), so that none of its requests outlives the job's answer; its outcome no longer matters.
   */
  void finish() {
    Future<ProvenanceStep.Attested> started;
    synchronized (this) {
      started = running;
    }
    if (started == null) {
      return;
    }
    try {
      started.get();
    } catch (ExecutionException e) {
      // the job already failed, or attests the image it returned
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
