package io.blacktree.workflow.api;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.JobStep;
import io.blacktree.core.Names;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.common.SearchAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The search attributes and memo a job carries from its start (docs/workflow.md, search attributes and
 * memo), defined once. {@link DeployJobStart} puts them on the start request; the workflow upserts only the
 * step as the job moves, and the start values only when it replays a history recorded by a version that
 * upserted them too.
 */
public final class JobTags {
  public static final SearchAttributeKey<String> REPO = SearchAttributeKey.forKeyword(Names.SA_REPO);
  public static final SearchAttributeKey<String> VERSION = SearchAttributeKey.forKeyword(Names.SA_VERSION);
  public static final SearchAttributeKey<String> ACCOUNT = SearchAttributeKey.forKeyword(Names.SA_ACCOUNT);
  public static final SearchAttributeKey<String> ECR_REPO = SearchAttributeKey.forKeyword(Names.SA_ECR_REPO);
  public static final SearchAttributeKey<String> STEP = SearchAttributeKey.forKeyword(Names.SA_STEP);

  private JobTags() {}

  /** The attributes for a start request. */
  public static SearchAttributes searchAttributes(BuildRequest request) {
    SearchAttributes.Builder builder = SearchAttributes.newBuilder();
    atStart(request).forEach(builder::set);
    return builder.build();
  }

  /** The same attributes as upserts: what a workflow of the earlier version did when it started. */
  public static SearchAttributeUpdate<?>[] searchAttributeUpdates(BuildRequest request) {
    return atStart(request).entrySet().stream()
        .map(e -> e.getKey().valueSet(e.getValue()))
        .toArray(SearchAttributeUpdate<?>[]::new);
  }

  /** The step attribute's upsert. */
  public static SearchAttributeUpdate<String> step(JobStep step) {
    return STEP.valueSet(step.value());
  }

  /** {@code branch}, and {@code commit} and {@code request_id} when the request has them. */
  public static Map<String, Object> memo(BuildRequest request) {
    Map<String, Object> memo = new LinkedHashMap<>();
    memo.put("branch", request.branch());
    if (request.commit() != null) {
      memo.put("commit", request.commit());
    }
    if (request.requestId() != null) {
      memo.put("request_id", request.requestId());
    }
    return memo;
  }

  private static Map<SearchAttributeKey<String>, String> atStart(BuildRequest request) {
    Map<SearchAttributeKey<String>, String> values = new LinkedHashMap<>();
    values.put(REPO, request.repoUrl());
    values.put(VERSION, request.deploymentVersion());
    values.put(ACCOUNT, request.awsAccount());
    values.put(ECR_REPO, request.ecrRepo());
    values.put(STEP, JobStep.QUEUED.value());
    return values;
  }
}
