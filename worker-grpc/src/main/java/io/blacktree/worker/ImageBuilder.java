package io.blacktree.worker;

import io.blacktree.proto.worker.v1.Step;
import io.blacktree.worker.provenance.AttestationStore;
import java.util.function.Consumer;

/**
 * Turns a job's checkout into an image published in the registry: {@link EngineBuilder} (the Docker engine's
 * classic builder, then a push through the engine) or {@link BuildKitBuilder} (buildkitd builds and pushes in
 * one solve). The job runner only sequences clone, this, and cleanup; each builder reports its own steps
 * (building, logging in, pushing) through {@link Steps} in the order it runs them.
 */
interface ImageBuilder {
  /** What the job runner offers a builder while it runs. */
  interface Steps {
    /** Runs one step of the job: its start and end (and failure kind) become job events and metrics. */
    <T> T run(Step step, StepBody<T> body) throws JobFailure;

    /**
     * The built image is in the registry as {@code digest}, its tags not yet checked: the runner starts preparing its
     * attestation (nothing of it is visible until {@link #publishing}). Optional, at most once.
     */
    void pushed(String digest);

    /**
     * The job publishes {@code image} (the manifest announced by {@link #pushed}, as read from the registry, the
     * version tag's rules passed): the runner stores its attestation while the builder points the tags. Optional; an
     * image not announced and handed over this way is attested after the builder returned.
     */
    void publishing(AttestationStore.Manifest image);
  }

  /** A step's work. */
  interface StepBody<T> {
    T run() throws JobFailure;
  }

  /** Short name for logs and results: {@code buildkit} or {@code engine}. */
  String name();

  /**
   * Before the job's workspace exists: finishes the previous job's clean-up of this builder's state, saying in
   * the job's log what it removed.
   */
  void beforeJob(Consumer<String> jobLog);

  /**
   * Builds the checkout in {@code ws} at {@code revision} and publishes it.
   *
   * @throws JobFailure classified: BUILD_FAILED for the user's Dockerfile, TAG_EXISTS, registry and builder
   *                    availability, or the job's stop
   */
  Published run(JobSpec spec, StepControl control, Workspace ws, Revision revision, Steps steps) throws JobFailure;

  /** After the job answered (success or not): this builder's deferred clean-up. */
  void afterJob();
}
