package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.testsupport.Cosign;
import io.blacktree.testsupport.SigningKeys;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.blacktree.worker.GitCredentials;
import io.blacktree.worker.NoLogin;
import io.blacktree.core.ValidationPolicy;
import io.blacktree.worker.RegistryAuth;
import io.blacktree.worker.JobObserver;
import io.blacktree.worker.WorkerApp;
import io.blacktree.worker.WorkerConfig;
import io.blacktree.worker.provenance.AttestationSigner;
import io.blacktree.worker.provenance.AttestationStore;
import io.blacktree.worker.provenance.DsseEnvelope;
import io.blacktree.worker.provenance.ProvenanceStatement;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blacktree verify} and {@code cosign verify-attestation} on an image a real build worker built, signed and
 * pushed to the local registry: both accept it; both reject it after its attestation is replaced by one signed with
 * another key, and after its tag is moved to another image; verify's exit codes for usage (2) and an unreachable
 * registry (3).
 */
class VerifyCommandIT {
  private static final String REGISTRY = "127.0.0.1:5000";
  @TempDir Path dir;

  @Test
  void verify_imageBuiltByTheWorker_acceptedThenRejectedAfterForgeryAndTagMove() throws Exception {
    Cosign cosign = Cosign.require(dir.resolve("cosign-home"));
    SigningKeys keys = SigningKeys.create(dir.resolve("keys"), "host", SigningKeys.Format.PKCS8);
    GitRepos repos = new GitRepos(dir.resolve("git"));
    String repo = "it/verify-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"true\"]\n");
    String sha = repos.create(repo, "main", files);
    JobResponse first;
    JobResponse second;
    String workflowId = "deploy:123456789012:us-east-1:" + repo + ":v1";
    try (GitDaemonServer git = GitDaemonServer.start(repos.baseDir());
         WorkerApp worker = new WorkerApp(config(dir, git.baseUrl(), keys.privateKey()),
             WorkerApp.dockerClient(WorkerConfig.builder().build().dockerHost()), new NoLogin(REGISTRY),
             GitCredentials.load(null, Map.of()), System.getenv(), JobObserver.NONE)) {
      worker.start();
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", worker.port()).usePlaintext().build();
      try {
        WorkerGrpc.WorkerBlockingStub stub = WorkerGrpc.newBlockingStub(channel);
        first = stub.withDeadlineAfter(300, TimeUnit.SECONDS).runJob(job(repo, "v1", workflowId));
        files.put("extra.txt", "another image\n");
        repos.commit(repo, "main", files, "second");
        second = stub.withDeadlineAfter(300, TimeUnit.SECONDS)
            .runJob(job(repo, "v2", "deploy:123456789012:us-east-1:" + repo + ":v2"));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    assertThat(first.getStatus()).as(first.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(second.getStatus()).as(second.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    String image = first.getImageUrl();
    String pub = keys.publicKey().toString();

    CliRun ok = CliRun.run("verify", image, "--key", pub, "--repo", repo, "--commit", sha, "--workflow", workflowId);
    assertThat(ok.exitCode()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("verified: " + REGISTRY + "/" + repo + "@" + first.getDigest())
        .contains("commit " + sha);
    assertThat(cosign.verifyAttestation(keys.publicKey(), image).exitCode()).isZero();
    CliRun wrongBranch = CliRun.run("verify", image, "--key", pub, "--branch", "release");
    assertThat(wrongBranch.exitCode()).isEqualTo(1);
    assertThat(wrongBranch.err()).contains("built from branch main, not release");

    AttestationStore store = new AttestationStore(HttpClient.newHttpClient());
    RegistryAuth open = RegistryAuth.of(REGISTRY, null, null);
    DsseEnvelope original = store.attestations(open, repo, first.getDigest()).get(0);
    SigningKeys attacker = SigningKeys.create(dir.resolve("keys"), "attacker", SigningKeys.Format.SEC1);
    store.attach(open, repo, first.getDigest(),
        AttestationSigner.fromKeyFile(attacker.privateKey()).envelope(original.payload()),
        ProvenanceStatement.PREDICATE_TYPE);
    CliRun forged = CliRun.run("verify", image, "--key", pub);
    assertThat(forged.exitCode()).isEqualTo(1);
    assertThat(forged.err()).contains("signature does not verify with the given public key");
    assertThat(cosign.verifyAttestation(keys.publicKey(), image).exitCode()).isNotZero();
    store.attach(open, repo, first.getDigest(), original, ProvenanceStatement.PREDICATE_TYPE);
    assertThat(CliRun.run("verify", image, "--key", pub).exitCode()).as("restored").isZero();

    var v2 = store.manifest(open, repo, second.getDigest()).orElseThrow();
    HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            URI.create("http://" + REGISTRY + "/v2/" + repo + "/manifests/v1"))
        .header("Content-Type", v2.mediaType()).PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(v2.body()))
        .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
    store.attach(open, repo, second.getDigest(), original, ProvenanceStatement.PREDICATE_TYPE);
    CliRun moved = CliRun.run("verify", image, "--key", pub, "--commit", sha);
    assertThat(moved.exitCode()).isEqualTo(1);
    assertThat(moved.err()).contains("not for the image's current digest " + second.getDigest());
    assertThat(cosign.verifyAttestation(keys.publicKey(), image).exitCode()).isNotZero();
  }

  @Test
  void verify_badUsageOrUnreachableRegistry_exit2Or3() throws Exception {
    SigningKeys keys = SigningKeys.create(dir.resolve("keys"), "k", SigningKeys.Format.PKCS8);
    String pub = keys.publicKey().toString();

    assertThat(CliRun.run("verify", REGISTRY + "/x:1").exitCode()).as("no --key").isEqualTo(2);
    assertThat(CliRun.run("verify", "app-images:v1", "--key", pub).exitCode()).as("no registry host").isEqualTo(2);
    assertThat(CliRun.run("verify", REGISTRY + "/x:1", "--key", pub, "--branch", "a", "--commit", "abcdef1")
        .exitCode()).isEqualTo(2);
    assertThat(CliRun.run("verify", REGISTRY + "/x:1", "--key", keys.privateKey().toString()).exitCode())
        .as("a private key is not a public key").isEqualTo(2);
    CliRun down = CliRun.run("verify", "127.0.0.1:1/x:1", "--key", pub);
    assertThat(down.exitCode()).isEqualTo(3);
    assertThat(down.err()).contains("unreachable");
  }

  private static JobRequest job(String repo, String version, String workflowId) {
    return JobRequest.newBuilder().setRepoUrl(repo).setBranch("main").setDeploymentVersion(version)
        .setAwsAccountId("123456789012").setEcrRepo(repo).setWorkflowId(workflowId)
        .setJobId(workflowId + "/" + UUID.randomUUID() + "/1").build();
  }

  private static WorkerConfig config(Path dir, String gitBaseUrl, Path signingKey) {
    return WorkerConfig.builder().port(0).workdir(dir.resolve("workdir"))
        .registryMode(WorkerConfig.RegistryMode.NONE).registryUrl(REGISTRY)
        .policy(new ValidationPolicy(URI.create(gitBaseUrl), Set.of(), Set.of(), "us-east-1"))
        .jobTimeLimit(Duration.ofMinutes(5)).grace(Duration.ofSeconds(3)).resultTtl(Duration.ofMinutes(10))
        .imageCacheBytes(Long.MAX_VALUE / 4).workerId("verify-it-worker")
        .signingKeyFile(signingKey).requireSigning(true).build();
  }
}
