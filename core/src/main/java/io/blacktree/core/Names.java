package io.blacktree.core;

/** Names every component shares: queues, exchanges, task queues, search attributes, IDs. */
public final class Names {
  public static final String BUILD_QUEUE = "jobs.build";
  public static final String DEAD_LETTER_QUEUE = "jobs.build.dlq";
  public static final String RESULTS_EXCHANGE = "jobs.results";
  /** Routing keys on {@link #RESULTS_EXCHANGE} are {@code deploy.<outcome>}. */
  public static final String RESULT_ROUTING_PREFIX = "deploy.";
  /** The header of a dead-lettered message that lists every violation. */
  public static final String DLQ_REASONS_HEADER = "x-blacktree-reasons";

  public static final String DEPLOY_TASK_QUEUE = "blacktree-deploy";
  public static final String DISPATCH_TASK_QUEUE = "blacktree-dispatch";
  public static final String WORKFLOW_TYPE = "DeployJob";
  /** A build host's identity ({@code --host-id}): it names the host's own dispatch task queue. */
  public static final java.util.regex.Pattern HOST_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  public static final String SA_REPO = "BlacktreeRepo";
  public static final String SA_VERSION = "BlacktreeVersion";
  public static final String SA_ACCOUNT = "BlacktreeAccount";
  public static final String SA_ECR_REPO = "BlacktreeEcrRepo";
  public static final String SA_STEP = "BlacktreeStep";
  /** The custom Keyword search attributes, registered by setup and by the dev server start. */
  public static final java.util.List<String> SEARCH_ATTRIBUTES =
      java.util.List.of(SA_REPO, SA_VERSION, SA_ACCOUNT, SA_ECR_REPO, SA_STEP);

  /** The memo key naming the build host that ran a successful job (where the next job of its repo goes first). */
  public static final String MEMO_HOST = "host";

  /** Image label carrying the workflow ID that built it. */
  public static final String LABEL_WORKFLOW_ID = "io.blacktree.workflow-id";

  private Names() {}

  /**
   * {@code deploy:<aws_account>:<region>:<ecr_repo>:<deployment_version>}: ':' is illegal in every part,
   * so IDs never collide, and the ID names the image the workflow produces.
   */
  public static String workflowId(BuildRequest request) {
    if (request.region() == null || request.region().isEmpty()) {
      throw new IllegalArgumentException("a workflow ID needs the request's region; the intake fills it in");
    }
    return "deploy:" + request.awsAccount() + ":" + request.region() + ":" + request.ecrRepo() + ":"
        + request.deploymentVersion();
  }

  /**
   * The workflow ID the bridge will give a request as a client sends it, the region absent or not: for clients
   * that predict the ID ({@code blacktree submit}, tests).
   */
  public static String workflowId(BuildRequest request, String bridgeDefaultRegion) {
    return workflowId(request.withDefaultRegion(bridgeDefaultRegion));
  }

  /**
   * The dispatch task queue only the orchestrator of build host {@code hostId} polls:
   * {@code <dispatchTaskQueue>.<hostId>} (docs/workflow.md, cache affinity).
   */
  public static String hostDispatchQueue(String dispatchTaskQueue, String hostId) {
    return dispatchTaskQueue + "." + hostId;
  }

  /**
   * A job's identity on a worker: {@code <workflowId>/<runId>/<attempt>}. The worker reads the attempt from the
   * request's own {@code attempt} field; the number stays in the ID so that a worker of the previous version,
   * which parses it from here, still reads it (docs/worker.md).
   */
  public static String jobId(String workflowId, String runId, int attempt) {
    return workflowId + "/" + runId + "/" + attempt;
  }
}
