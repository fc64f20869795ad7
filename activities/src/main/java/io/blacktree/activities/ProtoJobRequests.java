package io.blacktree.activities;

import io.blacktree.core.BuildRequest;
import io.blacktree.proto.worker.v1.JobRequest;

/**
 * The orchestrator's edge to the worker: a dispatch (the request as the bridge normalised it, and the attempt's
 * identity) encoded as the worker's {@link JobRequest}. The one conversion in this direction.
 */
final class ProtoJobRequests {
  private ProtoJobRequests() {}

  static JobRequest fromDispatch(DispatchRequest d) {
    BuildRequest r = d.request();
    JobRequest.Builder b = JobRequest.newBuilder()
        .setRepoUrl(r.repoUrl())
        .setBranch(r.branch())
        .setDeploymentVersion(r.deploymentVersion())
        .setAwsAccountId(r.awsAccount())
        .setEcrRepo(r.ecrRepo())
        .setJobId(d.jobId())
        .setAttempt(d.workerAttempt())
        .setWorkflowId(d.workflowId())
        .setTimeLimitSeconds(d.timeLimitSeconds())
        .putAllBuildArgs(r.buildArgsOrEmpty())
        .addAllTags(r.tagsOrEmpty());
    if (r.region() != null) {
      b.setRegion(r.region());
    }
    if (r.commit() != null) {
      b.setCommit(r.commit());
    }
    if (r.dockerfile() != null) {
      b.setDockerfile(r.dockerfile());
    }
    if (r.context() != null) {
      b.setContext(r.context());
    }
    if (r.target() != null) {
      b.setTarget(r.target());
    }
    if (r.requestId() != null) {
      b.setRequestId(r.requestId());
    }
    return b.build();
  }
}
