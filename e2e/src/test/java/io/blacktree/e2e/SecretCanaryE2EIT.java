package io.blacktree.e2e;

import static io.blacktree.e2e.support.BlacktreeStack.app;
import static io.blacktree.e2e.support.BlacktreeStack.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.e2e.support.HistoryTexts;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.WatchJobRequest;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.ecr.EcrStubServer;
import io.blacktree.testsupport.git.GitHttpServer;
import io.blacktree.testsupport.git.GitRepos;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.temporal.api.history.v1.History;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canary secrets in all four credential places of a real deployment (worker, orchestrator and bridge as
 * processes): the git token (smart HTTP requiring basic auth), the registry password (inside the ECR token
 * the ECR stand-in hands out), the AWS secret access key (the worker's environment) and the ECR token itself.
 * One job succeeds (clone with the token, login with the ECR token, push), one fails (its RUN step). Then no
 * canary, nor its base64 form, appears in: any process's output, the workflow histories read through the
 * Temporal API (every payload decoded), the result messages, the worker's WatchJob events, the CLI's
 * {@code jobs show}/{@code jobs logs}, the image's labels and history, or the Docker engine's events.
 */
class SecretCanaryE2EIT {
  private static final Duration JOB_BOUND = Duration.ofSeconds(120);
  private static final String ACCOUNT = "123456789012";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  @Test
  void successAndFailure_canaryInEveryCredential_appearsNowhere() throws Exception {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN, Service.RABBITMQ, Service.TEMPORAL);
    ServiceEndpoints endpoints = ServiceEndpoints.fromEnvironment();
    TestIds ids = TestIds.forClass(SecretCanaryE2EIT.class);
    String gitToken = "gitcanary" + UUID.randomUUID().toString().replace("-", "");
    String registryPassword = "regcanary" + UUID.randomUUID().toString().replace("-", "");
    String awsSecret = "awscanary" + UUID.randomUUID().toString().replace("-", "");
    String ecrToken = base64("AWS:" + registryPassword);
    Map<String, String> canaries = new LinkedHashMap<>();
    for (String c : List.of(gitToken, registryPassword, awsSecret, ecrToken)) {
      canaries.put(c, c);
      canaries.put(base64(c), c);
    }
    canaries.put(base64("x-access-token:" + gitToken), gitToken);
    String since = Long.toString(Instant.now().getEpochSecond() - 1);

    GitRepos repos = new GitRepos(dir.resolve("git"));
    String okRepo = "acme/" + ids.next("ok");
    String badRepo = "acme/" + ids.next("bad");
    repos.create(okRepo, "main", app("canary ok", run("echo", "built")));
    repos.create(badRepo, "main", app("canary bad", run("sh", "-c", "echo failing on purpose; exit 3")));
    GitHttpServer git = closing(GitHttpServer.start(repos.baseDir(), gitToken));
    EcrStubServer ecr = closing(EcrStubServer.start("AWS", registryPassword,
        URI.create("http://" + endpoints.registryOpen())));
    String okEcr = ids.next("ok");
    String badEcr = ids.next("bad");
    ecr.addRepository(okEcr);
    ecr.addRepository(badEcr);

    String prefix = ids.prefix() + ".";
    String amqpUrl = "amqp://guest:guest@" + endpoints.amqpHost() + ":" + endpoints.amqpPort();
    Map<String, String> env = Map.of("BLACKTREE_TEMPORAL", endpoints.temporalTarget(),
        "BLACKTREE_NAMESPACE", endpoints.temporalNamespace(), "BLACKTREE_AMQP", amqpUrl,
        "BLACKTREE_QUEUE_PREFIX", prefix);
    Cli cli = new Cli(env);
    List<String> seen = new CopyOnWriteArrayList<>();
    Cli.Result setup = cli.run("setup");
    assertThat(setup.exitCode()).as(setup.toString()).isZero();
    Connection amqp = closing(connection(amqpUrl, ids.name("canary")));
    Map<String, JsonNode> results = listen(amqp, prefix + "jobs.results", seen);

    int port = ComponentProcess.freePort();
    String deployQueue = ids.name("deploy");
    ComponentProcess worker = closing(ComponentProcess.start(ids.name("worker"), "io.blacktree.cli.Main", List.of(
        "worker", "--port", Integer.toString(port), "--workdir", dir.resolve("worker").toString(),
        "--registry", "ecr", "--ecr-endpoint", ecr.endpoint().toString(), "--region", "us-east-1",
        "--git-base-url", git.baseUrl(), "--git-allowed-hosts", "127.0.0.1", "--worker-id", ids.name("worker"),
        "--job-time-limit", "PT5M", "--grace", "PT5S",
        // the engine builder keeps the image in the engine, where this test inspects its config and history
        "--builder", "engine"),
        Map.of("BLACKTREE_GIT_TOKEN", gitToken, "AWS_ACCESS_KEY_ID", "AKIDCANARYTEST",
            "AWS_SECRET_ACCESS_KEY", awsSecret, "AWS_REGION", "us-east-1")));
    worker.awaitPort(port, Duration.ofSeconds(60));
    List<String> connection = List.of("--temporal", endpoints.temporalTarget(), "--namespace",
        endpoints.temporalNamespace(), "--amqp", amqpUrl, "--queue-prefix", prefix);
    ComponentProcess orchestrator = closing(ComponentProcess.blacktree(ids.name("orchestrator"), concat(List.of(
        "orchestrator", "--workers", "127.0.0.1:" + port, "--deploy-task-queue", deployQueue,
        "--dispatch-task-queue", ids.name("dispatch"), "--job-time-limit", "PT5M", "--max-attempts", "1"),
        connection)));
    ComponentProcess bridge = closing(ComponentProcess.blacktree(ids.name("bridge"),
        concat(List.of("bridge", "--task-queue", deployQueue), connection)));

    String okId = publish(amqp, prefix + "jobs.build", okRepo, "v1", okEcr);
    String badId = publish(amqp, prefix + "jobs.build", badRepo, "v1", badEcr);
    JsonNode ok = await(results, okId, List.of(worker, orchestrator, bridge));
    JsonNode bad = await(results, badId, List.of(worker, orchestrator, bridge));

    assertThat(ok.path("status").asText()).as(ok.toString()).isEqualTo("SUCCESS");
    assertThat(bad.path("status").asText()).as(bad.toString()).isEqualTo("FAILED");
    assertThat(bad.path("error_kind").asText()).isEqualTo("BUILD_FAILED");
    assertThat(git.unauthorizedCount()).as("the repo really required the token").isGreaterThan(0);
    assertThat(ecr.calls()).as("the worker really asked ECR for a token").contains("GetAuthorizationToken");
    String image = ok.path("image_url").asText();

    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(endpoints.temporalTarget()).build());
    closeables.add(stubs::shutdownNow);
    WorkflowClient temporal = WorkflowClient.newInstance(stubs,
        WorkflowClientOptions.newBuilder().setNamespace(endpoints.temporalNamespace()).build());
    for (String id : List.of(okId, badId)) {
      History history = HistoryTexts.closed(temporal, id);
      assertThat(history.getEventsCount()).isGreaterThan(5);
      seen.add(history.toString());
      int payloads = HistoryTexts.decodePayloads(history, seen);
      assertThat(payloads).as("payloads decoded in " + id).isGreaterThan(3);
      for (String command : List.of("show", "logs")) {
        Cli.Result r = command.equals("show") ? cli.run("jobs", "show", id, "--json") : cli.run("jobs", "logs", id);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        seen.add(r.out() + r.err());
      }
      seen.addAll(watchJob(port, id, worker.output()));
    }
    seen.add(docker("image", "inspect", image));
    seen.add(docker("history", "--no-trunc", image));
    seen.add(docker("events", "--since", since, "--until", Long.toString(Instant.now().getEpochSecond()),
        "--format", "{{json .}}"));
    for (ComponentProcess p : List.of(worker, orchestrator, bridge)) {
      seen.add(p.output());
    }
    seen.add(setup.toString());

    assertThat(String.join("\n", seen)).as("everything collected").contains(okId, badId, image, "failing on purpose");
    for (int i = 0; i < seen.size(); i++) {
      for (Map.Entry<String, String> c : canaries.entrySet()) {
        assertThat(seen.get(i).contains(c.getKey()))
            .as("a form of canary %s... found in collected text #%d: %s", c.getValue().substring(0, 9), i,
                excerpt(seen.get(i), c.getKey()))
            .isFalse();
      }
    }
  }

  // --- collection -------------------------------------------------------------------------------------

  /** The events of every attempt of {@code workflowId}, re-read from the worker with WatchJob. */
  private static List<String> watchJob(int port, String workflowId, String workerLog) throws Exception {
    Matcher m = Pattern.compile(Pattern.quote(workflowId) + "/[^\\s/]+/\\d+").matcher(workerLog);
    List<String> jobIds = new ArrayList<>();
    while (m.find()) {
      if (!jobIds.contains(m.group())) {
        jobIds.add(m.group());
      }
    }
    assertThat(jobIds).as("job ids of " + workflowId + " in the worker log").isNotEmpty();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      List<String> events = new ArrayList<>();
      for (String jobId : jobIds) {
        Iterator<JobEvent> it = WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
            .watchJob(WatchJobRequest.newBuilder().setJobId(jobId).setFromSequence(0).build());
        int count = 0;
        while (it.hasNext()) {
          JobEvent e = it.next();
          events.add(e.toString());
          count++;
          if (e.hasFinal()) {
            break;
          }
        }
        assertThat(count).as("WatchJob events of " + jobId).isGreaterThan(1);
      }
      return events;
    } finally {
      channel.shutdownNow();
    }
  }

  private static Map<String, JsonNode> listen(Connection amqp, String exchange, List<String> seen) throws Exception {
    Map<String, JsonNode> results = new java.util.concurrent.ConcurrentHashMap<>();
    Channel channel = amqp.createChannel();
    String queue = channel.queueDeclare("", false, true, true, null).getQueue();
    channel.queueBind(queue, exchange, "#");
    channel.basicConsume(queue, true, (tag, delivery) -> {
      seen.add(new String(delivery.getBody(), StandardCharsets.UTF_8));
      seen.add(String.valueOf(delivery.getProperties()));
      JsonNode body = JSON.readTree(delivery.getBody());
      results.put(body.path("workflow_id").asText(""), body);
    }, tag -> { });
    return results;
  }

  private static JsonNode await(Map<String, JsonNode> results, String workflowId, List<ComponentProcess> processes)
      throws InterruptedException {
    Instant end = Instant.now().plus(JOB_BOUND);
    while (Instant.now().isBefore(end)) {
      JsonNode r = results.get(workflowId);
      if (r != null) {
        return r;
      }
      for (ComponentProcess p : processes) {
        assertThat(p.isAlive()).as(p + " exited:\n" + p.output()).isTrue();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no result for " + workflowId + " within " + JOB_BOUND);
  }

  private static String publish(Connection amqp, String queue, String repo, String version, String ecrRepo)
      throws Exception {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("repo_url", repo);
    request.put("branch", "main");
    request.put("deployment_version", version);
    request.put("aws_account", ACCOUNT);
    request.put("ecr_repo", ecrRepo);
    try (Channel ch = amqp.createChannel()) {
      ch.confirmSelect();
      ch.basicPublish("", queue, true, new AMQP.BasicProperties.Builder().contentType("application/json")
          .deliveryMode(2).messageId(UUID.randomUUID().toString()).build(), JSON.writeValueAsBytes(request));
      ch.waitForConfirmsOrDie(30_000);
    }
    return "deploy:" + ACCOUNT + ":us-east-1:" + ecrRepo + ":" + version;
  }

  private static String docker(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("docker"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(cmd + ": " + out).isZero();
    return out;
  }

  private static Connection connection(String url, String name) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(url);
    return factory.newConnection(name);
  }

  private <T extends AutoCloseable> T closing(T resource) {
    closeables.add(resource);
    return resource;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String excerpt(String text, String needle) {
    int at = text.indexOf(needle);
    return at < 0 ? "" : text.substring(Math.max(0, at - 120), Math.min(text.length(), at + needle.length() + 40));
  }
}
