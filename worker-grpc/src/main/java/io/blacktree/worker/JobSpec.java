package io.blacktree.worker;

import io.blacktree.core.BuildRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One job as this worker runs it, made once from the gRPC request at the service's edge ({@link JobSpecs}) and
 * read, never changed, by every step: the validated request (region filled in), the job's identity and its time
 * limit.
 *
 * @param jobId      the job's identity on this worker ({@code <workflowId>/<runId>/<attempt>} from an orchestrator)
 * @param workflowId the workflow the job belongs to (stamped on the image as {@code io.blacktree.workflow-id})
 * @param attempt    the workflow's attempt that started the job (1-based); 0 when the caller sent none
 * @param request    the request, validated by core's rules, the worker's default region filled in
 * @param timeLimit  the job's time limit: the request's, at most the worker's own
 */
record JobSpec(String jobId, String workflowId, int attempt, BuildRequest request, Duration timeLimit) {
  static final String DEFAULT_DOCKERFILE = "Dockerfile";
  static final String DEFAULT_CONTEXT = ".";

  /** The Dockerfile's path relative to the checkout. */
  String dockerfilePath() {
    return orDefault(request.dockerfile(), DEFAULT_DOCKERFILE);
  }

  /** The build context's path relative to the checkout. */
  String contextPath() {
    return orDefault(request.context(), DEFAULT_CONTEXT);
  }

  /** The requested commit, or empty to build the branch head. */
  String commitOrEmpty() {
    return request.commit() == null ? "" : request.commit();
  }

  /** The Dockerfile stage to build, or empty for the last stage. */
  String targetOrEmpty() {
    return request.target() == null ? "" : request.target();
  }

  Map<String, String> buildArgs() {
    return request.buildArgsOrEmpty();
  }

  List<String> extraTags() {
    return request.tagsOrEmpty();
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }
}
