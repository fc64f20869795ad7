package io.blacktree.workflows;

import static io.blacktree.workflows.DeployJobTestEnvironment.FAST;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.BuildRequest;
import io.blacktree.core.DeployResult;
import io.blacktree.core.Names;
import io.blacktree.testsupport.TestRequests;
import io.blacktree.workflow.api.DeployJobWorkflow;
import io.blacktree.workflow.api.JobTags;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where a job's search attributes and memo come from (docs/workflow.md, search attributes and memo): the start
 * request carries the start values; the workflow itself upserts only the step as the job moves, and the result's
 * memo at the end.
 */
class DeployJobTagsTest {
  @RegisterExtension
  static final TestWorkflowExtension ext = DeployJobTestEnvironment.extension();

  private static final BuildRequest REQUEST = new BuildRequest("acme/tags", "release", "v2.0.0", "123456789012",
      "tag-images", "eu-west-1", "api-7", "a".repeat(40), null, null, null, null, null);

  private DeployJobWorkflow start(TestWorkflowEnvironment env, Worker worker) {
    DeployJobOptions options = OrchestratorConfig.builder().dispatchTaskQueue("tags-dispatch")
        .affinityWait(Duration.ZERO).build().workflowOptions();
    env.newWorker(options.dispatchTaskQueue(), FAST)
        .registerActivitiesImplementations(new FakeDispatch(FakeDispatch.succeed("w1:1")));
    return DeployJobTestEnvironment.start(env, worker, options, REQUEST, new FakePublish());
  }

  @Test
  void run_success_startValuesFromStartRequestStepAndResultFromWorkflow(TestWorkflowEnvironment env,
      Worker worker) {
    DeployResult result = start(env, worker).run(new DeployJobWorkflow.DeployJobInput(REQUEST, List.of()));

    WorkflowExecutionDescription d = DeployJobTestEnvironment.describe(env, REQUEST);
    assertThat(d.getTypedSearchAttributes().get(JobTags.REPO)).isEqualTo("acme/tags");
    assertThat(d.getTypedSearchAttributes().get(JobTags.VERSION)).isEqualTo("v2.0.0");
    assertThat(d.getTypedSearchAttributes().get(JobTags.ACCOUNT)).isEqualTo("123456789012");
    assertThat(d.getTypedSearchAttributes().get(JobTags.ECR_REPO)).isEqualTo("tag-images");
    assertThat(d.getTypedSearchAttributes().get(JobTags.STEP)).isEqualTo("done");
    assertThat(d.getMemo("branch", String.class)).isEqualTo("release");
    assertThat(d.getMemo("commit", String.class)).isEqualTo("a".repeat(40));
    assertThat(d.getMemo("request_id", String.class)).isEqualTo("api-7");
    assertThat(d.getMemo("worker", String.class)).isEqualTo("w1:1");
    assertThat(d.getMemo("image_url", String.class)).isEqualTo(result.imageUrl());
  }

  @Test
  void run_success_workflowUpsertsOnlyTheStepAndTheResultMemo(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker).run(new DeployJobWorkflow.DeployJobInput(REQUEST, List.of()));

    List<HistoryEvent> events = env.getWorkflowClient().fetchHistory(Names.workflowId(REQUEST)).getEvents();
    List<Set<String>> upserted = events.stream().filter(HistoryEvent::hasUpsertWorkflowSearchAttributesEventAttributes)
        .map(e -> e.getUpsertWorkflowSearchAttributesEventAttributes().getSearchAttributes().getIndexedFieldsMap()
            .keySet())
        .toList();
    List<Set<String>> memos = events.stream().filter(HistoryEvent::hasWorkflowPropertiesModifiedEventAttributes)
        .map(e -> e.getWorkflowPropertiesModifiedEventAttributes().getUpsertedMemo().getFieldsMap().keySet())
        .toList();
    assertThat(upserted).containsExactly(Set.of(Names.SA_STEP));
    assertThat(memos).singleElement().satisfies(keys -> assertThat(keys)
        .contains("worker", "image_url", "digest", "commit_sha")
        .doesNotContain("branch", "commit", "request_id"));
  }
}
