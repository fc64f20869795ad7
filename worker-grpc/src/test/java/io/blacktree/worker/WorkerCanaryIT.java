package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.testsupport.ecr.EcrStubServer;
import io.blacktree.testsupport.git.GitHttpServer;
import io.blacktree.testsupport.git.GitRepos;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * One canary secret used as git token, ECR token password and static registry password never shows up in
 * responses, events, gRPC status messages, exceptions or the worker's own log.
 */
class WorkerCanaryIT {
  @TempDir Path dir;

  @Test
  void runJob_canaryAsEveryCredential_neverAppearsAnywhere() throws Exception {
    String canary = "canary-" + UUID.randomUUID();
    List<String> forms = List.of(canary,
        Base64.getEncoder().encodeToString(canary.getBytes(StandardCharsets.UTF_8)),
        Base64.getEncoder().encodeToString((WorkerFixture.REGISTRY_USER + ":" + canary).getBytes(StandardCharsets.UTF_8)),
        Base64.getEncoder().encodeToString(("x-access-token:" + canary).getBytes(StandardCharsets.UTF_8)));
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    List<String> seen = new ArrayList<>();
    GitRepos repos = WorkerFixture.repos(dir);
    String repo = unique("canary");
    repos.create(repo, "main", app(repo));
    System.setProperty("aws.accessKeyId", "AKIDTESTONLY");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
    try (GitHttpServer git = GitHttpServer.start(repos.baseDir(), canary);
         EcrStubServer ecr = EcrStubServer.start(WorkerFixture.REGISTRY_USER, canary,
             URI.create("http://" + WorkerFixture.AUTH_REGISTRY))) {
      WorkerConfig.Builder ecrConfig = ecrConfig(dir.resolve("w-ecr"), git.baseUrl(), ecr.endpoint());
      try (WorkerFixture w = WorkerFixture.start(dir.resolve("w-ecr"), git.baseUrl(),
          WorkerApp.registryLogin(ecrConfig.build()), WorkerFixture.gitToken(canary), c -> ecrConfig)) {
        collect(w, request(repo, "main", "v1").putBuildArgs("NOTE", "plain").build(), seen);
      }
      try (WorkerFixture w = WorkerFixture.start(dir.resolve("w-static"), git.baseUrl(),
          new StaticLogin(WorkerFixture.AUTH_REGISTRY, WorkerFixture.REGISTRY_USER, canary),
          WorkerFixture.gitToken(canary), c -> c)) {
        collect(w, request(repo, "main", "v2").build(), seen);
        try {
          w.stub(30).runJob(request(repo, "main", "v3").setBranch("").build());
        } catch (StatusRuntimeException e) {
          seen.add(String.valueOf(e.getStatus()));
          seen.add(String.valueOf(e.getMessage()));
        }
      }
    } finally {
      root.detachAppender(logs);
    }
    for (ILoggingEvent e : logs.list) {
      seen.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        seen.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
    }
    assertThat(seen).isNotEmpty();
    for (String text : seen) {
      for (String form : forms) {
        assertThat(text).doesNotContain(form);
      }
    }
  }

  private static void collect(WorkerFixture w, JobRequest req, List<String> seen) {
    JobResponse r = w.stub(300).runJob(req);
    assertThat(r.getErrorKind()).as(r.getLogs()).isEqualTo(ErrorKind.REGISTRY_AUTH_DENIED);
    assertThat(r.getCommitSha()).as("cloned with the canary token").isNotEmpty();
    seen.add(r.toString());
    for (JobEvent e : w.events(req.getJobId())) {
      seen.add(e.toString());
    }
  }

  private static WorkerConfig.Builder ecrConfig(Path d, String gitBaseUrl, URI endpoint) {
    return WorkerFixture.config(d, gitBaseUrl).registryMode(WorkerConfig.RegistryMode.ECR).registryUrl(null)
        .ecrEndpoint(endpoint).workerId("it-canary");
  }
}
