package io.blacktree.e2e.faults;

import io.blacktree.testsupport.ServiceRequirement;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.proto.worker.v1.Step;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on the build worker's links, each for a short while, with one worker and one orchestrator as real
 * processes ({@link FaultStack}): the registry resetting connections during a push, the orchestrator-worker
 * link blackholed mid-build, the git server down, a missing repository, the workdir (a 20 MiB tmpfs) filling
 * up. Every test checks the job's end state: exactly one execution and one result message, the expected
 * outcome, no workspace, no build container, the worker FREE; and how many times the build ran.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinkFaultsE2EIT {
  private static final Duration JOB_BOUND = Duration.ofSeconds(180);

  @TempDir static Path dir;
  static FaultStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = FaultStack.start(LinkFaultsE2EIT.class, dir);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @BeforeEach
  void quiet() {
    stack.gitProxy.pass();
    stack.registryProxy.pass();
    stack.linkProxy.pass();
    stack.awaitTrue("worker FREE", Duration.ofSeconds(60), stack.observer::isFree);
  }

  @Test
  @Order(1)
  void missingRepo_gitServerUp_repoNotFoundOnceNotRetried() throws Exception {
    Job job = stack.jobWithoutRepo("missing");

    job.start();

    JsonNode result = stack.awaitEndedOnce(job, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("FAILED");
    assertThat(result.path("error_kind").asText()).isEqualTo("REPO_NOT_FOUND");
    assertThat(result.path("attempts").asInt()).as("not retried").isEqualTo(1);
    assertThat(stack.observer.builds(job)).isZero();
  }

  @Test
  @Order(2)
  void gitServerResetting10s_jobStartedDuringOutage_retriedThenSucceeds() throws Exception {
    Job job = stack.job("gitdown", "true");
    int before = stack.gitProxy.acceptedConnections();
    // reset, not drop: a git daemon hangs up without a word on a missing repo, so a connection closed at
    // accept reads as REPO_NOT_FOUND in the git:// protocol; a reset is a server that is not there
    stack.gitProxy.reset(Duration.ofSeconds(10));

    job.start();

    stack.awaitTrue("a clone attempt reset by the git link", Duration.ofSeconds(30),
        () -> stack.gitProxy.acceptedConnections() > before);
    JsonNode result = stack.awaitEndedOnce(job, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");
    assertThat(result.path("attempts").asInt()).as("retried after GIT_UNAVAILABLE")
        .isBetween(2, FaultStack.MAX_ATTEMPTS);
    assertThat(stack.observer.builds(job)).as("steps seen: %s", stack.observer.stepsSeen(job)).isEqualTo(1);
    assertThat(FaultStack.docker("run", "--rm", "--network=none", job.imageUrl()).trim()).isEqualTo(job.marker);
  }

  @Test
  @Order(3)
  void registryResets10s_duringPush_pushedAfterNotRebuilt() throws Exception {
    Job job = stack.job("push", "true");
    int before = stack.registryProxy.acceptedConnections();
    // slow the registry link so the push is still running when the resets start
    stack.registryProxy.delay(Duration.ofMillis(150), Duration.ofSeconds(120));

    job.start();

    stack.awaitStep(job, Step.PUSHING, Duration.ofSeconds(90));
    stack.awaitTrue("the engine pushing through the proxy", Duration.ofSeconds(30),
        () -> stack.registryProxy.acceptedConnections() >= before + 2);
    stack.registryProxy.reset(Duration.ofSeconds(10));

    JsonNode result = stack.awaitEndedOnce(job, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");
    assertThat(result.path("attempts").asInt()).as("push retried inside the worker").isEqualTo(1);
    assertThat(stack.observer.builds(job)).as("steps seen: %s", stack.observer.stepsSeen(job)).isEqualTo(1);
    assertThat(result.path("logs").asText().toLowerCase()).as("the push met the resets").containsAnyOf(
        "retry", "retrying", "reset");
    HttpResponse<Void> manifest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://" + stack.endpoints.registryOpen() + "/v2/" + job.ecrRepo + "/manifests/" + job.version))
        .method("HEAD", HttpRequest.BodyPublishers.noBody())
        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(manifest.statusCode()).as("tag in the registry").isEqualTo(200);
    assertThat(manifest.headers().firstValue("Docker-Content-Digest")).contains(result.path("digest").asText());
  }

  @Test
  @Order(4)
  void orchestratorWorkerLinkBlackholed15s_midBuild_completesBuiltOnce() throws Exception {
    Job job = stack.job("link", "sleep 12");

    job.start();

    stack.awaitStep(job, Step.BUILDING, Duration.ofSeconds(90));
    stack.linkProxy.blackhole(Duration.ofSeconds(15));

    JsonNode result = stack.awaitEndedOnce(job, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");
    assertThat(stack.observer.builds(job))
        .as("never two builds of one job; steps seen: %s", stack.observer.stepsSeen(job)).isEqualTo(1);
    assertThat(result.path("logs").asText()).contains(job.marker);
    assertThat(FaultStack.docker("run", "--rm", "--network=none", job.imageUrl()).trim()).isEqualTo(job.marker);
  }

  @Test
  @Order(5)
  void checkoutBiggerThanWorkdir_tmpfs20MiB_diskFullWorkspaceRemovedWorkerFree() throws Exception {
    ServiceRequirement.requireThat(stack.workdirIsTmpfs, "a tmpfs work dir for the disk-full fault ("
        + stack.tmpfsProblem + ")");
    byte[] blob = new byte[30 * 1024 * 1024];
    new Random(42).nextBytes(blob);
    Job job = stack.job("big", "true", Map.of("blob.bin", blob));
    // what the earlier jobs' kept source trees (a cache of the worker's) hold stays; this job must add nothing
    long freeBefore = Files.getFileStore(stack.workdir).getUsableSpace();

    job.start();

    JsonNode result = stack.awaitEndedOnce(job, JOB_BOUND);
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("FAILED");
    assertThat(result.path("error_kind").asText()).as(result.toString()).isEqualTo("DISK_FULL");
    assertThat(stack.observer.builds(job)).isZero();
    assertThat(freeBefore).as("the tmpfs has less room than the checkout needs").isLessThan(blob.length);
    assertThat(Files.getFileStore(stack.workdir).getUsableSpace())
        .as("the failed job left nothing on the tmpfs").isGreaterThanOrEqualTo(freeBefore - 64 * 1024);
  }
}
