package io.blacktree.worker;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.RequestValidator;
import io.blacktree.core.Violation;
import io.blacktree.proto.worker.v1.JobRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker's gRPC edge: a {@link JobRequest} becomes a {@link JobSpec} once, validated with core's
 * {@link RequestValidator} (the bridge's rules) and normalised with the same defaults, or the list of every
 * violation with fields named as the proto names them ({@code aws_account_id}). The one conversion in this
 * direction.
 *
 * <p>Compatibility with an orchestrator that predates the {@code attempt} field: when it is 0 the attempt is
 * read from {@code job_id}'s last segment ({@code <workflowId>/<runId>/<attempt>}); likewise an empty
 * {@code workflow_id} is {@code job_id} without its last two segments.
 */
final class JobSpecs {
  private static final int MAX_JOB_ID = 512;
  private final RequestValidator validator;
  private final Duration workerTimeLimit;

  /** The outcome of converting one request. */
  sealed interface Converted {
    record Valid(JobSpec spec) implements Converted {}

    record Invalid(List<String> violations) implements Converted {}
  }

  /** {@code workerTimeLimit}: the time limit of a request that sets none, and the most one may set. */
  JobSpecs(RequestValidator validator, Duration workerTimeLimit) {
    this.validator = validator;
    this.workerTimeLimit = workerTimeLimit;
  }

  Converted fromProto(JobRequest r) {
    List<String> violations = new ArrayList<>();
    String id = r.getJobId();
    if (id.isEmpty()) {
      violations.add("job_id: is required");
    } else if (id.length() > MAX_JOB_ID || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      violations.add("job_id: must be at most " + MAX_JOB_ID + " printable characters");
    }
    if (r.getTimeLimitSeconds() < 0) {
      violations.add("time_limit_seconds: must not be negative");
    }
    if (r.getAttempt() < 0) {
      violations.add("attempt: must not be negative");
    }
    BuildRequest request = request(r);
    for (Violation v : validator.validate(request)) {
      String field = v.field().equals("aws_account") ? "aws_account_id" : v.field();
      violations.add(field + ": " + v.reason());
    }
    if (!violations.isEmpty()) {
      return new Converted.Invalid(violations);
    }
    return new Converted.Valid(new JobSpec(id, workflowId(r), attempt(r), validator.withDefaults(request),
        timeLimit(r)));
  }

  private static BuildRequest request(JobRequest r) {
    return new BuildRequest(r.getRepoUrl(), r.getBranch(), r.getDeploymentVersion(), r.getAwsAccountId(),
        r.getEcrRepo(), blankToNull(r.getRegion()), blankToNull(r.getRequestId()), blankToNull(r.getCommit()),
        blankToNull(r.getDockerfile()), blankToNull(r.getContext()), blankToNull(r.getTarget()),
        r.getBuildArgsCount() == 0 ? null : r.getBuildArgsMap(),
        r.getTagsCount() == 0 ? null : r.getTagsList());
  }

  private Duration timeLimit(JobRequest r) {
    long most = workerTimeLimit.toSeconds();
    return Duration.ofSeconds(r.getTimeLimitSeconds() > 0 ? Math.min(r.getTimeLimitSeconds(), most) : most);
  }

  /** {@code workflow_id} when set; else {@code job_id} without its last two segments, or all of it. */
  private static String workflowId(JobRequest r) {
    if (!r.getWorkflowId().isEmpty()) {
      return r.getWorkflowId();
    }
    String id = r.getJobId();
    int last = id.lastIndexOf('/');
    int prev = last > 0 ? id.lastIndexOf('/', last - 1) : -1;
    return prev > 0 ? id.substring(0, prev) : id;
  }

  /** {@code attempt} when set; else the number after {@code job_id}'s last {@code /}; else 0. */
  private static int attempt(JobRequest r) {
    if (r.getAttempt() > 0) {
      return r.getAttempt();
    }
    String id = r.getJobId();
    int slash = id.lastIndexOf('/');
    if (slash < 0) {
      return 0;
    }
    try {
      return Integer.parseInt(id.substring(slash + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String blankToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
