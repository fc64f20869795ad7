package io.blacktree.activities;

import java.util.List;

/**
 * The dispatch activity's heartbeat details: what Web UI and {@code blacktree jobs logs --follow} show of a
 * running job (read with DescribeWorkflowExecution), and where a new dispatch can resume.
 *
 * @param worker       {@code host:port} running the job
 * @param jobId        the job's identity on the worker
 * @param step         queued, cloning, building, pushing or done
 * @param lastLines    the latest log lines (redacted)
 * @param nextSequence the next WatchJob sequence number wanted
 */
public record DispatchProgress(
    String worker, String jobId, String step, List<String> lastLines, long nextSequence) {}
