package io.blacktree.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A build request as the API publishes it to {@code jobs.build} (JSON, snake_case). Also the
 * {@code DeployJob} workflow's input once validated. Optional fields are null when absent.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildRequest(
    @JsonProperty("repo_url") String repoUrl,
    @JsonProperty("branch") String branch,
    @JsonProperty("deployment_version") String deploymentVersion,
    @JsonProperty("aws_account") String awsAccount,
    @JsonProperty("ecr_repo") String ecrRepo,
    @JsonProperty("region") String region,
    @JsonProperty("request_id") String requestId,
    @JsonProperty("commit") String commit,
    @JsonProperty("dockerfile") String dockerfile,
    @JsonProperty("context") String context,
    @JsonProperty("target") String target,
    @JsonProperty("build_args") Map<String, String> buildArgs,
    @JsonProperty("tags") List<String> tags) {

  /**
   * This request as the pipeline carries it: {@code defaultRegion} when it names no region, else unchanged. The
   * one place the region default is applied (the intake, the worker's edge and clients that predict a workflow
   * ID all call it).
   */
  public BuildRequest withDefaultRegion(String defaultRegion) {
    return region == null || region.isEmpty() ? withRegion(defaultRegion) : this;
  }

  /** This request with {@code newRegion}. */
  public BuildRequest withRegion(String newRegion) {
    return new BuildRequest(repoUrl, branch, deploymentVersion, awsAccount, ecrRepo, newRegion, requestId,
        commit, dockerfile, context, target, buildArgs, tags);
  }

  public Map<String, String> buildArgsOrEmpty() {
    return buildArgs == null ? Map.of() : buildArgs;
  }

  public List<String> tagsOrEmpty() {
    return tags == null ? List.of() : tags;
  }
}
