package io.blacktree.activities;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.Names;

/**
 * One dispatch of a job to a build worker.
 *
 * @param request          the request as the bridge normalised it (region filled in), passed on unchanged
 * @param workflowId       the job's workflow ID (stamped on the image, and where step signals go)
 * @param runId            the workflow run the step signals go to
 * @param attempt          the workflow's attempt number (1-based), echoed in step signals
 * @param jobAttempt       the attempt that started the job on a worker: {@code attempt}, or an earlier attempt's
 *                         number when this one re-attaches to that attempt's job; 0 = {@code attempt} (a dispatch
 *                         scheduled by a workflow that predates this field)
 * @param timeLimitSeconds the job time limit: RunJob's deadline and the worker's own limit
 * @param preferWorker     {@code host:port} to try first (the worker still running this job ID), or null
 * @param avoidWorker      {@code host:port} of the worker that failed the previous attempt, or null
 * @param hostWaitMillis   0 on the shared dispatch queue (claim a free worker now, or fail {@code WORKER_BUSY});
 *                         on a build host's own queue (cache affinity), how long after being scheduled the dispatch
 *                         may wait on that host for a worker to come free before it fails {@code WORKER_BUSY}
 */
public record DispatchRequest(
    BuildRequest request,
    String workflowId,
    String runId,
    int attempt,
    int jobAttempt,
    long timeLimitSeconds,
    String preferWorker,
    String avoidWorker,
    long hostWaitMillis) {

  /** This dispatch offered to a build host's own queue, waiting there at most {@code waitMillis} in all. */
  public DispatchRequest onHost(long waitMillis) {
    return new DispatchRequest(request, workflowId, runId, attempt, jobAttempt, timeLimitSeconds, preferWorker,
        avoidWorker, waitMillis);
  }

  /** The attempt the worker's job belongs to. */
  public int workerAttempt() {
    return jobAttempt > 0 ? jobAttempt : attempt;
  }

  /** The job's identity on the worker; the same job ID re-attaches to a running job. */
  public String jobId() {
    return Names.jobId(workflowId, runId, workerAttempt());
  }
}
