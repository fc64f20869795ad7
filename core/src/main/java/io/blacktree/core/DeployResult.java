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
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeployResult(
    @JsonProperty("status") String status,
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
    @JsonProperty("logs") String logs) {

  public static final String SUCCESS = "SUCCESS";
  public static final String FAILED = "FAILED";
  public static final String CANCELLED = "CANCELLED";
  public static final String REJECTED = "REJECTED";
}
