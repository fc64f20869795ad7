package io.blacktree.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one deploy job: the workflow's result on success, the details of its
 * {@code ApplicationFailure} otherwise, and the body of the {@code jobs.results} message.
 *
 * @param status        SUCCESS, FAILED or CANCELLED (REJECTED for a dead-lettered request)
 * @param errorKind     null on success
 * @param stepMillis    step name (cloning, building, pushing, ...) to milliseconds, of the last attempt
 * @param logs          bounded logs of the last attempt (head + tail + dropped count, redacted)
 * @param attestation   the image's provenance attestation on success; null otherwise (and from older workers)
 * @param affinity      whether the job ran on the build host that last built its repository; null when the job was
 *                      never dispatched (rejected, or from a workflow that predates cache affinity)
 * @param reuse         what the successful attempt reused (cached steps, of those from the registry cache, layers);
 *                      null unless the job succeeded on a worker that reports it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeployResult(
    @JsonProperty("status") JobStatus status,
    @JsonProperty("workflow_id") String workflowId,
    @JsonProperty("request_id") String requestId,
    @JsonProperty("image_url") String imageUrl,
    @JsonProperty("digest") String digest,
    @JsonProperty("commit_sha") String commitSha,
    @JsonProperty("tags") List<String> tags,
    @JsonProperty("worker") String worker,
    @JsonProperty("attempts") int attempts,
    @JsonProperty("step_millis") Map<String, Long> stepMillis,
    @JsonProperty("error_kind") ErrorKind errorKind,
    @JsonProperty("error_message") String errorMessage,
    @JsonProperty("logs") String logs,
    @JsonProperty("attestation") ImageAttestation attestation,
    @JsonProperty("affinity") Affinity affinity,
    @JsonProperty("reuse") BuildReuse reuse) {

  /**
   * A job that produced no image: failed, cancelled or rejected. Null for what is not known (the worker of a
   * job that never reached one, the logs of a rejected request).
   */
  public static DeployResult unsuccessful(JobStatus status, String workflowId, String requestId, String worker,
      int attempts, ErrorKind errorKind, String errorMessage, String logs) {
    return new DeployResult(status, workflowId, requestId, null, null, null, null, worker, attempts, null,
        errorKind, errorMessage, logs, null, null, null);
  }

  /** This result with {@code affinity} set (the workflow knows it only after the dispatch). */
  public DeployResult withAffinity(Affinity affinity) {
    return new DeployResult(status, workflowId, requestId, imageUrl, digest, commitSha, tags, worker, attempts,
        stepMillis, errorKind, errorMessage, logs, attestation, affinity, reuse);
  }

  /** A closed run known only by its status, kind and message (e.g. from its history's last event). */
  public static DeployResult closed(JobStatus status, String workflowId, ErrorKind errorKind, String errorMessage) {
    return unsuccessful(status, workflowId, null, null, 0, errorKind, errorMessage, null);
  }

  /**
   * The result of a run that failed with an {@code ApplicationFailure}: the result its details carry when they
   * carry one (the workflow always puts it there), else one made from the failure's type and message.
   */
  public static DeployResult ofFailure(String workflowId, DeployResult carried, String failureType, String message) {
    return carried != null ? carried : closed(JobStatus.FAILED, workflowId, ErrorKind.parse(failureType), message);
  }

  /** A run that was cancelled, known from its status only. */
  public static DeployResult cancelled(String workflowId) {
    return closed(JobStatus.CANCELLED, workflowId, ErrorKind.CANCELLED, "cancelled");
  }

  /** A run that hit its workflow execution timeout. */
  public static DeployResult timedOut(String workflowId) {
    return closed(JobStatus.FAILED, workflowId, ErrorKind.TIMED_OUT, "workflow timed out");
  }

  /** The answer to a request refused at the intake: the reasons, and the request's own ID when it had one. */
  public static DeployResult rejected(String requestId, ErrorKind errorKind, String reasons) {
    return unsuccessful(JobStatus.REJECTED, null, requestId, null, 0, errorKind, reasons, null);
  }
}
