package io.blacktree.activities;

import io.blacktree.core.JobStep;
import java.util.List;

/**
 * The dispatch activity's heartbeat details: what Web UI and {@code blacktree jobs logs --follow} show of a
 * running job (read with DescribeWorkflowExecution), and where a new dispatch can resume.
 *
 * @param worker       {@code host:port} running the job
 * @param jobId        the job's identity on the worker
 * @param step         the job step the worker reported last
 * @param lastLines    the latest log lines (redacted)
 * @param nextSequence the next WatchJob sequence number wanted
 */
public record DispatchProgress(
    String worker, String jobId, JobStep step, List<String> lastLines, long nextSequence) {}
