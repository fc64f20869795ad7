package io.blacktree.worker;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.RequestValidator;
import io.blacktree.core.Violation;
import io.blacktree.proto.worker.v1.JobRequest;
import java.util.ArrayList;
import java.util.List;

/** Validates a gRPC {@link JobRequest} with core's {@link RequestValidator}, naming fields as the proto does. */
final class JobRequests {
  private static final int MAX_JOB_ID = 512;
  private final RequestValidator validator;

  JobRequests(RequestValidator validator) {
    this.validator = validator;
  }

  /** Every violation, fields named as in the proto ({@code aws_account_id}); empty when valid. */
  List<String> violations(JobRequest r) {
    List<String> out = new ArrayList<>();
    String id = r.getJobId();
    if (id.isEmpty()) {
      out.add("job_id: is required");
    } else if (id.length() > MAX_JOB_ID || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      out.add("job_id: must be at most " + MAX_JOB_ID + " printable characters");
    }
    if (r.getTimeLimitSeconds() < 0) {
      out.add("time_limit_seconds: must not be negative");
    }
    for (Violation v : validator.validate(toBuildRequest(r))) {
      String field = v.field().equals("aws_account") ? "aws_account_id" : v.field();
      out.add(field + ": " + v.reason());
    }
    return out;
  }

  static BuildRequest toBuildRequest(JobRequest r) {
    return new BuildRequest(r.getRepoUrl(), r.getBranch(), r.getDeploymentVersion(), r.getAwsAccountId(),
        r.getEcrRepo(), blankToNull(r.getRegion()), blankToNull(r.getRequestId()), blankToNull(r.getCommit()),
        blankToNull(r.getDockerfile()), blankToNull(r.getContext()), blankToNull(r.getTarget()),
        r.getBuildArgsCount() == 0 ? null : r.getBuildArgsMap(),
        r.getTagsCount() == 0 ? null : r.getTagsList());
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
