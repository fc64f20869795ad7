package io.blacktree.bridge;

import io.blacktree.core.ValidationPolicy;
import io.blacktree.core.JobStatus;
import io.blacktree.core.JobStep;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.Names;
import io.blacktree.core.ReplyTarget;
import io.blacktree.workflow.api.DeployJobWorkflow;
import io.blacktree.workflow.api.JobTags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bridge against the real RabbitMQ and the real Temporal dev server: valid, duplicate and bad messages. */
class BridgeIntakeIT {
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static BridgeFixture fx;
  private static String account;
  private static String otherAccount;
  private BridgeApp bridge;

  @BeforeAll
  static void setUp() throws Exception {
    fx = new BridgeFixture();
    account = BridgeFixture.randomAccount();
    otherAccount = BridgeFixture.randomAccount();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (fx != null) {
      fx.close();
    }
  }

  @AfterEach
  void stopBridge() {
    if (bridge != null) {
      bridge.close();
    }
  }

  private BridgeApp startBridge() throws Exception {
    return startBridge(fx.taskQueue);
  }

  private BridgeApp startBridge(String taskQueue) throws Exception {
    bridge = fx.bridge(fx.config()
        .taskQueue(taskQueue)
        .policy(new ValidationPolicy(java.net.URI.create("https://github.com/"), Set.of("github.com", "git.example.com"),
            Set.of(account, otherAccount), ValidationPolicy.DEFAULT_REGION))
        .build(), BridgeFixture.TEMPORAL);
    bridge.start();
    BridgeFixture.await("bridge consuming", WITHIN, () -> bridge.state().equals("CONSUMING"));
    return bridge;
  }

  private static String request(String acct, String version, String extra) {
    return "{\"repo_url\": \"username/reponame\", \"branch\": \"main\", \"deployment_version\": \"" + version
        + "\", \"aws_account\": \"" + acct + "\", \"ecr_repo\": \"app-images\"" + extra + "}";
  }

  @Test
  void designExample_twelveDigitAccount_startsOneWorkflowWithIdAttributesAndMemo() throws Exception {
    startBridge();
    String replyTo = fx.replyQueue();

    fx.publish(request(account, "v1.0.3", ""), replyTo, "corr-example");

    String id = "deploy:" + account + ":us-east-1:app-images:v1.0.3";
    WorkflowExecutionDescription d =
        BridgeFixture.await("workflow " + id, WITHIN, () -> fx.describe(id).orElse(null));
    assertThat(d.getWorkflowType()).isEqualTo(Names.WORKFLOW_TYPE);
    assertThat(d.getTaskQueue()).isEqualTo(fx.taskQueue);
    assertThat(d.getTypedSearchAttributes().get(JobTags.REPO)).isEqualTo("username/reponame");
    assertThat(d.getTypedSearchAttributes().get(JobTags.VERSION)).isEqualTo("v1.0.3");
    assertThat(d.getTypedSearchAttributes().get(JobTags.ACCOUNT)).isEqualTo(account);
    assertThat(d.getTypedSearchAttributes().get(JobTags.ECR_REPO)).isEqualTo("app-images");
    assertThat(d.getTypedSearchAttributes().get(JobTags.STEP)).isEqualTo("queued");
    assertThat(d.getMemo("branch", String.class)).isEqualTo("main");
    BridgeFixture.await("job completed", WITHIN, () -> fx.completed(id));
    assertThat(progressTargets(id)).as("the reply_to reached the workflow's input").isEqualTo(1);
    assertThat(fx.countRuns("WorkflowId = '" + id + "'", 1, WITHIN)).isEqualTo(1);
    BridgeFixture.await("build queue drained", WITHIN, () -> ready(fx.names.buildQueue()) == 0);
    assertThat(fx.ready(fx.names.deadLetterQueue())).isZero();
    assertThat(bridge.metrics().started()).isEqualTo(1.0);
  }

  @Test
  void redeliveredAndRepeatedRequest_existingWorkflow_oneRunAckedAndAnswered() throws Exception {
    String version = "v2.0.0";
    String id = "deploy:" + account + ":eu-west-1:app-images:" + version;
    String body = request(account, version,
        ", \"region\": \"eu-west-1\", \"request_id\": \"api-7\", \"commit\": \"" + "a".repeat(40) + "\"")
        .replace("\"main\"", "\"hold\"");
    String firstReply = fx.replyQueue();
    // A bridge started this job and died before its ack: the workflow exists, the message is unacked.
    String runId = startAsIfBridgeDiedBeforeAck(body, id, firstReply);

    startBridge();

    BridgeFixture.await("build queue drained", WITHIN, () -> ready(fx.names.buildQueue()) == 0);
    BridgeFixture.await("the redelivered request joined the running job", WITHIN,
        () -> progressTargets(id) == 2);
    assertThat(bridge.metrics().duplicate()).isEqualTo(1.0);
    assertThat(bridge.metrics().started()).isZero();

    fx.client.newWorkflowStub(DeployJobWorkflow.class, id)
        .stepChanged(new DeployJobWorkflow.StepUpdate(1, "w", JobStep.DONE));
    BridgeFixture.await("job completed", WITHIN, () -> fx.completed(id));
    String lateReply = fx.replyQueue();
    fx.publish(body, lateReply, "corr-late");

    GetResponse answer = fx.take(lateReply, WITHIN);
    assertThat(answer.getProps().getCorrelationId()).isEqualTo("corr-late");
    DeployResult result = fx.result(answer);
    assertThat(result.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(result.workflowId()).isEqualTo(id);
    assertThat(result.requestId()).isEqualTo("api-7");
    assertThat(fx.countRuns("WorkflowId = '" + id + "'", 1, WITHIN)).isEqualTo(1);
    assertThat(fx.describe(id).orElseThrow().getExecution().getRunId()).isEqualTo(runId);
    WorkflowExecutionDescription d = fx.describe(id).orElseThrow();
    assertThat(d.getMemo("request_id", String.class)).isEqualTo("api-7");
    assertThat(d.getMemo("commit", String.class)).isEqualTo("a".repeat(40));
    assertThat(fx.ready(fx.names.buildQueue())).isZero();
    assertThat(fx.ready(fx.names.deadLetterQueue())).isZero();
  }

  /**
   * Publishes the request, takes it off the queue without an ack as a bridge would, starts its workflow the
   * way the bridge does, then drops the channel: the broker puts the message back marked redelivered.
   */
  private String startAsIfBridgeDiedBeforeAck(String body, String id, String replyTo) throws Exception {
    new Topology(fx.names, Topology.DEFAULT_DELIVERY_LIMIT).declare(fx.amqp);
    fx.publish(body, replyTo, "corr-first");
    String runId;
    try (Channel dying = fx.amqp.createChannel()) {
      GetResponse taken = BridgeFixture.await("the request", WITHIN, () -> basicGet(dying));
      assertThat(taken.getEnvelope().isRedeliver()).isFalse();
      WorkflowStarter starter = new WorkflowStarter(fx.client, fx.taskQueue,
          new FinishedResults(fx.client, Duration.ofSeconds(5)));
      var request = ((io.blacktree.core.RequestParser.Accepted) new io.blacktree.core.RequestParser(
          new io.blacktree.core.RequestValidator(io.blacktree.core.ValidationPolicy.defaults()))
          .parse(taken.getBody())).request();
      JobStarter.Outcome outcome = starter.start(request, new ReplyTarget(replyTo, "corr-first"), false);
      assertThat(outcome).isInstanceOf(JobStarter.Started.class);
      runId = ((JobStarter.Started) outcome).runId();
    }
    return runId;
  }

  private static GetResponse basicGet(Channel ch) {
    try {
      return ch.basicGet(fx.names.buildQueue(), false);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int progressTargets(String id) {
    return fx.client.newWorkflowStub(DeployJobWorkflow.class, id).progress().attempt();
  }

  private static long ready(String queue) {
    try {
      return fx.ready(queue);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void badMessageCorpus_eachDeadLetteredWithReasonsAndRejected_noneStarted_stillConsuming() throws Exception {
    String corpusAccount = account;
    Map<String, byte[]> corpus = badMessages(corpusAccount);
    startBridge();
    String replyTo = fx.replyQueue();
    String rejectedFeed = fx.resultsQueue("deploy.rejected");

    for (Map.Entry<String, byte[]> bad : corpus.entrySet()) {
      fx.publish(bad.getValue(), replyTo, bad.getKey());
    }
    String sentinelVersion = "sentinel-" + fx.id;
    fx.publish(request(corpusAccount, sentinelVersion, ""), null, "sentinel");

    String sentinelId = "deploy:" + corpusAccount + ":us-east-1:app-images:" + sentinelVersion;
    BridgeFixture.await("the valid message after the corpus started", WITHIN,
        () -> fx.describe(sentinelId).orElse(null));
    Map<String, List<String>> reasonsByCase = new LinkedHashMap<>();
    for (int i = 0; i < corpus.size(); i++) {
      GetResponse dead = fx.take(fx.names.deadLetterQueue(), WITHIN);
      String name = dead.getProps().getCorrelationId();
      assertThat(dead.getBody()).as(name + " body kept").isEqualTo(corpus.get(name));
      assertThat(dead.getProps().getReplyTo()).isEqualTo(replyTo);
      @SuppressWarnings("unchecked")
      List<Object> reasons = (List<Object>) dead.getProps().getHeaders().get(Names.DLQ_REASONS_HEADER);
      reasonsByCase.put(name, reasons.stream().map(Object::toString).toList());
    }
    assertThat(reasonsByCase.keySet()).containsExactlyInAnyOrderElementsOf(corpus.keySet());
    Map<String, String> expected = expectedReasons();
    expected.forEach((name, reason) ->
        assertThat(reasonsByCase.get(name)).as(name).anySatisfy(r -> assertThat(r).startsWith(reason)));
    assertThat(reasonsByCase.get("ten-digit-account")).containsExactly("aws_account: must be 12 digits");
    assertThat(reasonsByCase.get("numbers-for-strings")).containsExactly(
        "deployment_version: has the wrong JSON type (a number, must be a string)",
        "aws_account: has the wrong JSON type (a number, must be a string)");
    assertThat(reasonsByCase.get("missing-fields")).contains("repo_url: is required", "branch: is required",
        "deployment_version: is required", "aws_account: is required", "ecr_repo: is required");

    List<String> answered = new ArrayList<>();
    for (int i = 0; i < corpus.size(); i++) {
      GetResponse reply = fx.take(replyTo, WITHIN);
      DeployResult r = fx.result(reply);
      assertThat(r.status()).isEqualTo(JobStatus.REJECTED);
      assertThat(r.errorKind()).isIn(ErrorKind.INVALID_REQUEST, ErrorKind.POLICY_VIOLATION);
      assertThat(r.errorMessage()).isEqualTo(String.join("; ", reasonsByCase.get(reply.getProps().getCorrelationId())));
      answered.add(reply.getProps().getCorrelationId());
    }
    assertThat(answered).containsExactlyInAnyOrderElementsOf(corpus.keySet());
    assertThat(fx.take(rejectedFeed, WITHIN).getEnvelope().getRoutingKey()).isEqualTo("deploy.rejected");
    assertThat(fx.countRuns("BlacktreeAccount = '" + corpusAccount + "' AND TaskQueue = '" + fx.taskQueue
        + "' AND BlacktreeVersion = '" + sentinelVersion + "'", 1, WITHIN)).isEqualTo(1);
    assertThat(bridge.metrics().started()).isEqualTo(1.0);
    assertThat(bridge.metrics().deadLettered()).isEqualTo(corpus.size());
    assertThat(bridge.state()).isEqualTo("CONSUMING");
  }

  @Test
  void startRefusedByTemporal_taskQueueOverServerLimit_deadLetteredWithTemporalReason() throws Exception {
    // a valid request that Temporal still refuses for good: the bridge is misconfigured with a task queue
    // name longer than the server's ID length limit (1000)
    startBridge("q".repeat(1100));
    String replyTo = fx.replyQueue();
    String body = request(account, "refused-" + fx.id, "");

    fx.publish(body, replyTo, "corr-refused");

    GetResponse dead = fx.take(fx.names.deadLetterQueue(), WITHIN);
    @SuppressWarnings("unchecked")
    List<Object> reasons = (List<Object>) dead.getProps().getHeaders().get(Names.DLQ_REASONS_HEADER);
    assertThat(reasons).singleElement().asString().startsWith("temporal: start of deploy:" + account)
        .contains("refused: INVALID_ARGUMENT");
    DeployResult reply = fx.result(fx.take(replyTo, WITHIN));
    assertThat(reply.status()).isEqualTo(JobStatus.REJECTED);
    assertThat(reply.errorKind()).isEqualTo(ErrorKind.INTERNAL);
    assertThat(bridge.metrics().startFailures()).isEqualTo(1.0);
    assertThat(bridge.metrics().started()).isZero();
    assertThat(bridge.state()).isEqualTo("CONSUMING");
  }

  private static String valid(String acct, String field, String jsonValue) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("repo_url", "\"username/reponame\"");
    fields.put("branch", "\"main\"");
    fields.put("deployment_version", "\"bad-" + field.replace('_', '-') + "\"");
    fields.put("aws_account", "\"" + acct + "\"");
    fields.put("ecr_repo", "\"app-images\"");
    fields.put(field, jsonValue);
    return fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue())
        .collect(Collectors.joining(", ", "{", "}"));
  }

  private static Map<String, byte[]> badMessages(String acct) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("not-json", "this is not json");
    c.put("json-array", "[1, 2, 3]");
    c.put("wrong-type-branch", valid(acct, "branch", "[\"main\"]"));
    c.put("wrong-type-build-args", valid(acct, "build_args", "\"A=1\""));
    c.put("missing-fields", "{\"region\": \"us-east-1\"}");
    c.put("numbers-for-strings", "{\"repo_url\": \"username/reponame\", \"branch\": \"main\", "
        + "\"deployment_version\": 1, \"aws_account\": " + acct + ", \"ecr_repo\": \"app-images\"}");
    c.put("wrong-type-repo-url", valid(acct, "repo_url", "{\"owner\": \"o\"}"));
    c.put("wrong-type-version", valid(acct, "deployment_version", "1.5"));
    c.put("wrong-type-account", valid(acct, "aws_account", acct));
    c.put("wrong-type-ecr-repo", valid(acct, "ecr_repo", "false"));
    c.put("wrong-type-region", valid(acct, "region", "null"));
    c.put("wrong-type-request-id", valid(acct, "request_id", "42"));
    c.put("wrong-type-commit", valid(acct, "commit", "true"));
    c.put("wrong-type-dockerfile", valid(acct, "dockerfile", "[\"Dockerfile\"]"));
    c.put("wrong-type-context", valid(acct, "context", "{}"));
    c.put("wrong-type-build-arg-value", valid(acct, "build_args", "{\"MODE\": 1}"));
    c.put("wrong-type-tag", valid(acct, "tags", "[\"latest\", 2]"));
    c.put("repo-file", valid(acct, "repo_url", "\"file:///etc/passwd\""));
    c.put("repo-ext", valid(acct, "repo_url", "\"ext::sh -c touch% /tmp/pwned\""));
    c.put("repo-ssh", valid(acct, "repo_url", "\"ssh://git@github.com/a/b.git\""));
    c.put("repo-userinfo", valid(acct, "repo_url", "\"https://user:pw@github.com/a/b.git\""));
    c.put("repo-leading-dash", valid(acct, "repo_url", "\"--upload-pack=touch/x\""));
    c.put("repo-dotdot", valid(acct, "repo_url", "\"a/..\""));
    c.put("repo-control", valid(acct, "repo_url", "\"a/b\\n\""));
    c.put("repo-disallowed-host", valid(acct, "repo_url", "\"https://evil.example.org/a/b.git\""));
    c.put("branch-invalid", valid(acct, "branch", "\"a..b\""));
    c.put("branch-leading-dash", valid(acct, "branch", "\"-b\""));
    c.put("branch-too-long", valid(acct, "branch", "\"" + "b".repeat(256) + "\""));
    c.put("version-invalid", valid(acct, "deployment_version", "\".v1\""));
    c.put("ten-digit-account", valid(acct, "aws_account", "\"1234567890\""));
    c.put("account-not-allowed", valid(acct, "aws_account", "\"999999999999\""));
    c.put("ecr-invalid", valid(acct, "ecr_repo", "\"App_Images\""));
    c.put("region-invalid", valid(acct, "region", "\"mars-1\""));
    c.put("request-id-invalid", valid(acct, "request_id", "\"has space\""));
    c.put("commit-invalid", valid(acct, "commit", "\"abc123\""));
    c.put("dockerfile-escape", valid(acct, "dockerfile", "\"../Dockerfile\""));
    c.put("context-absolute", valid(acct, "context", "\"/etc\""));
    c.put("build-arg-secret", valid(acct, "build_args", "{\"NPM_TOKEN\": \"x\"}"));
    c.put("build-args-too-many", valid(acct, "build_args", IntStream.range(0, 65)
        .mapToObj(i -> "\"A" + i + "\": \"v\"").collect(Collectors.joining(", ", "{", "}"))));
    c.put("tags-too-many", valid(acct, "tags", IntStream.range(0, 11)
        .mapToObj(i -> "\"t" + i + "\"").collect(Collectors.joining(", ", "[", "]"))));
    c.put("tag-invalid", valid(acct, "tags", "[\"-bad\"]"));
    c.put("oversized", valid(acct, "request_id", "\"" + "x".repeat(70 * 1024) + "\""));
    Map<String, byte[]> out = new LinkedHashMap<>();
    c.forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
    out.put("empty-body", new byte[0]);
    return out;
  }

  private static Map<String, String> expectedReasons() {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("not-json", "body: ");
    e.put("json-array", "body: ");
    e.put("wrong-type-branch", "branch: has the wrong JSON type");
    e.put("wrong-type-build-args", "build_args: has the wrong JSON type");
    e.put("wrong-type-repo-url", "repo_url: has the wrong JSON type (an object, must be a string)");
    e.put("wrong-type-version", "deployment_version: has the wrong JSON type (a number, must be a string)");
    e.put("wrong-type-account", "aws_account: has the wrong JSON type (a number, must be a string)");
    e.put("wrong-type-ecr-repo", "ecr_repo: has the wrong JSON type (a boolean, must be a string)");
    e.put("wrong-type-region", "region: has the wrong JSON type (null, must be a string)");
    e.put("wrong-type-request-id", "request_id: has the wrong JSON type (a number, must be a string)");
    e.put("wrong-type-commit", "commit: has the wrong JSON type (a boolean, must be a string)");
    e.put("wrong-type-dockerfile", "dockerfile: has the wrong JSON type (an array, must be a string)");
    e.put("wrong-type-context", "context: has the wrong JSON type (an object, must be a string)");
    e.put("wrong-type-build-arg-value", "build_args.MODE: has the wrong JSON type (a number, must be a string)");
    e.put("wrong-type-tag", "tags[1]: has the wrong JSON type (a number, must be a string)");
    e.put("repo-file", "repo_url: ");
    e.put("repo-ext", "repo_url: ");
    e.put("repo-ssh", "repo_url: ");
    e.put("repo-userinfo", "repo_url: must not carry credentials");
    e.put("repo-leading-dash", "repo_url: must not start with '-'");
    e.put("repo-dotdot", "repo_url: must not contain '..'");
    e.put("repo-control", "repo_url: must not contain control characters");
    e.put("repo-disallowed-host", "repo_url: host evil.example.org is not on the allow-list");
    e.put("branch-invalid", "branch: ");
    e.put("branch-leading-dash", "branch: ");
    e.put("branch-too-long", "branch: must be at most 255");
    e.put("version-invalid", "deployment_version: ");
    e.put("account-not-allowed", "aws_account: account 999999999999 is not on the allow-list");
    e.put("ecr-invalid", "ecr_repo: ");
    e.put("region-invalid", "region: ");
    e.put("request-id-invalid", "request_id: ");
    e.put("commit-invalid", "commit: ");
    e.put("dockerfile-escape", "dockerfile: ");
    e.put("context-absolute", "context: ");
    e.put("build-arg-secret", "build_args.NPM_TOKEN: ");
    e.put("build-args-too-many", "build_args: at most 64");
    e.put("tags-too-many", "tags: at most 10");
    e.put("tag-invalid", "tags");
    e.put("oversized", "body: is larger than 64 KiB");
    e.put("empty-body", "body: is empty");
    return e;
  }
}
