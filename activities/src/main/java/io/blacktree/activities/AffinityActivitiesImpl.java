package io.blacktree.activities;

import io.blacktree.core.Names;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The affinity host from what this orchestrator knows ({@link LastHosts}: every success the fleet published since
 * it started, through {@link LastHostFeed}), else from Temporal visibility: the newest successfully completed
 * {@code DeployJob} with the same {@code BlacktreeRepo} whose memo names the build host that ran it ({@code host},
 * set by the workflow on success; visibility lists closed runs newest first, on SQLite and PostgreSQL alike). What
 * visibility answered is remembered too, so a repository is looked up there once per orchestrator start; a lookup
 * that failed is not remembered.
 */
public final class AffinityActivitiesImpl implements AffinityActivities {
  private static final Logger log = LoggerFactory.getLogger(AffinityActivitiesImpl.class);
  private static final int PAGE = 10;

  private final WorkflowServiceStubs service;
  private final String namespace;
  private final Duration callDeadline;
  private final LastHosts known;

  public AffinityActivitiesImpl(WorkflowServiceStubs service, String namespace, Duration callDeadline,
      LastHosts known) {
    this.service = service;
    this.namespace = namespace;
    this.callDeadline = callDeadline;
    this.known = known;
  }

  @Override
  public String lastHost(String repo) {
    var remembered = known.get(repo);
    if (remembered.isPresent()) {
      return remembered.get().host();
    }
    try {
      String host = find(repo);
      known.lookedUp(repo, host);
      return host;
    } catch (StatusRuntimeException e) {
      log.warn("no affinity host for {}: visibility did not answer ({})", repo, e.getStatus());
      return null;
    }
  }

  private String find(String repo) {
    var response = service.blockingStub().withDeadlineAfter(callDeadline.toMillis(), TimeUnit.MILLISECONDS)
        .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
            .setNamespace(namespace)
            .setPageSize(PAGE)
            .setQuery(query(repo))
            .build());
    for (WorkflowExecutionInfo info : response.getExecutionsList()) {
      Payload payload = info.getMemo().getFieldsMap().get(Names.MEMO_HOST);
      if (payload != null) {
        String host = DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, String.class, String.class);
        if (host != null && Names.HOST_ID.matcher(host).matches()) {
          return host;
        }
      }
    }
    return null;
  }

  /** The visibility query: this repository's completed jobs (closed runs come newest first). */
  static String query(String repo) {
    return "WorkflowType = '" + Names.WORKFLOW_TYPE + "' AND ExecutionStatus = 'Completed' AND "
        + Names.SA_REPO + " = '" + repo.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
