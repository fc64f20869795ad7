package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.Step;
import java.util.List;

/**
 * Sees a job's life as {@link JobRunner} runs it: its start, each step's start and end, and its end. Metrics
 * ({@link WorkerMetrics}) and tracing are implementations; {@link #composite} calls several in order. Calls
 * come on the job's own thread; an implementation must be quick and must not throw.
 */
public interface JobObserver {

  /** Observes nothing. */
  JobObserver NONE = new JobObserver() {};

  /**
   * Who a job is, for logs, metrics and traces.
   *
   * @param jobId      {@code <workflowId>/<runId>/<attempt>}
   * @param workflowId the workflow the job belongs to
   * @param attempt    the workflow's attempt that started the job ({@link JobSpec#attempt}), 0 when unknown
   * @param workerId   this worker's ID
   */
  record JobInfo(String jobId, String workflowId, int attempt, String workerId) {}

  /**
   * How a job ended.
   *
   * @param response    the response sent back (status, error kind, reuse summary)
   * @param millis      wall time of the whole job
   * @param bytesPushed bytes uploaded to the registry for the version tag (0 when nothing was uploaded)
   */
  record JobEnd(JobResponse response, long millis, long bytesPushed) {}

  default void jobStarted(JobInfo job) {}

  default void stepStarted(JobInfo job, Step step) {}

  /** {@code failure} is null when the step succeeded. */
  default void stepFinished(JobInfo job, Step step, long millis, ErrorKind failure) {}

  default void jobFinished(JobInfo job, JobEnd end) {}

  /** Calls each of {@code observers} in order; one that throws does not stop the others. */
  static JobObserver composite(List<JobObserver> observers) {
    List<JobObserver> all = List.copyOf(observers);
    return new JobObserver() {
      @Override
      public void jobStarted(JobInfo job) {
        each(o -> o.jobStarted(job));
      }

      @Override
      public void stepStarted(JobInfo job, Step step) {
        each(o -> o.stepStarted(job, step));
      }

      @Override
      public void stepFinished(JobInfo job, Step step, long millis, ErrorKind failure) {
        each(o -> o.stepFinished(job, step, millis, failure));
      }

      @Override
      public void jobFinished(JobInfo job, JobEnd end) {
        each(o -> o.jobFinished(job, end));
      }

      private void each(java.util.function.Consumer<JobObserver> call) {
        for (JobObserver o : all) {
          try {
            call.accept(o);
          } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(JobObserver.class).debug("job observer failed", e);
          }
        }
      }
    };
  }
}
