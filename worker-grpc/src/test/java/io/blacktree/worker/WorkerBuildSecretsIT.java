package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.JobEvent;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.testsupport.RegistryClient;
import io.blacktree.testsupport.RegistryTexts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code RUN --mount=type=secret} fed from the worker's {@code --build-secret} on BuildKit: the RUN step reads
 * the secret, and its value is in none of what the job leaves behind: the image's layers, config and history,
 * the registry cache the build exported, the provenance attestation, the job's log, its WatchJob events and its
 * response. The engine's classic builder refuses such a Dockerfile naming the feature.
 */
class WorkerBuildSecretsIT extends WorkerItBase {
  private static final String SECRET = "npmcanary-" + UUID.randomUUID();
  /**
   * BuildKit keys a RUN step's cache on its command, not on the secret's content: a run of this test after an
   * earlier one (another secret) would get the earlier RUN's result from the cache. The nonce keeps each run's
   * command its own.
   */
  private static final String DOCKERFILE = "FROM scratch\nCOPY busybox /bin/busybox\n"
      + "RUN --mount=type=secret,id=npm [\"/bin/busybox\", \"sh\", \"-c\", \": " + UUID.randomUUID() + "; "
      + "/bin/busybox cat /run/secrets/npm; "
      + "/bin/busybox md5sum /run/secrets/npm | /bin/busybox cut -c1-32 > /secret.md5\"]\n"
      + "CMD [\"/bin/busybox\", \"cat\", \"/secret.md5\"]\n";
  private static WorkerFixture engine;

  @BeforeAll
  void buildkitAndEngine() throws Exception {
    WorkerFixture.requireBuildKit();
    engine = WorkerFixture.start(dir.resolve("w-engine"), daemon.baseUrl(), new NoLogin(WorkerFixture.OPEN_REGISTRY),
        WorkerFixture.gitToken(null), c -> withSecret(c.builderMode(BuilderSettings.Mode.ENGINE)));
  }

  @AfterAll
  static void stopEngine() throws Exception {
    if (engine != null) {
      engine.close();
    }
  }

  @Override
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    return withSecret(defaults.builderMode(BuilderSettings.Mode.BUILDKIT));
  }

  /** The test worker offering the secret file as id {@code npm}. */
  private static WorkerConfig.Builder withSecret(WorkerConfig.Builder config) {
    try {
      Path file = dir.resolve("npm-token");
      if (!Files.exists(file)) {
        Files.writeString(file, SECRET + "\n");
      }
      return config.buildSecrets(Map.of("npm", file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void runJob_secretMount_runReadsItAndItIsInNoImageCacheAttestationLogOrEvent() throws Exception {
    String repo = unique("secret-mount");
    repos.create(repo, "main", WorkerFixture.appWith("unused", DOCKERFILE));
    JobRequest req = request(repo, "main", "v1").build();

    JobResponse r = worker.stub(300).runJob(req);

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(WorkerFixture.pullAndRunRemote(r.getImageUrl() + "@" + r.getDigest()).strip())
        .as("the RUN step read the whole secret file").isEqualTo(md5(SECRET + "\n"));
    assertThat(r.getLogs()).as("the RUN step printed the secret: redacted").contains(io.blacktree.core.SecretRedactor.MASK);
    List<RegistryTexts.Text> stored = RegistryTexts.of(RegistryClient.anonymous(WorkerFixture.OPEN_REGISTRY), repo);
    assertThat(stored).extracting(RegistryTexts.Text::where).as("image, registry cache and attestation read")
        .anyMatch(w -> w.startsWith("v1 layer")).anyMatch(w -> w.startsWith(RegistryCache.TAG_PREFIX))
        .anyMatch(w -> w.contains(".att DSSE payload"));
    assertThat(stored).extracting(RegistryTexts.Text::content).as("the layers really were read")
        .anyMatch(c -> c.contains("BusyBox"));
    List<String> texts = new ArrayList<>();
    stored.forEach(t -> texts.add(t.where() + ": " + t.content()));
    texts.add(r.toString());
    worker.events(req.getJobId()).stream().map(JobEvent::toString).forEach(texts::add);
    assertNoSecret(texts);
    worker.assertNoWorkspace();
  }

  @Test
  void runJob_secretIdNotConfigured_buildFailedNamingTheId() throws Exception {
    String repo = unique("secret-missing");
    repos.create(repo, "main", WorkerFixture.appWith("unused", "FROM scratch\nCOPY busybox /bin/busybox\n"
        + "RUN --mount=type=secret,id=absent-id,required=true [\"/bin/busybox\", \"true\"]\n"));

    JobResponse r = worker.stub(300).runJob(request(repo, "main", "v1").build());

    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(r.getErrorMessage()).contains("absent-id");
    worker.assertNoWorkspace();
  }

  @Test
  void runJob_secretMountOnTheEngine_buildFailedNamingTheBuildKitFeature() throws Exception {
    String repo = unique("secret-engine");
    repos.create(repo, "main", WorkerFixture.appWith("unused", DOCKERFILE));

    JobResponse r = engine.stub(300).runJob(request(repo, "main", "v1").build());

    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.BUILD_FAILED);
    assertThat(r.getErrorMessage()).contains("RUN --mount=type=secret (secret mount)", "--builder buildkit");
    assertNoSecret(List.of(r.toString()));
    engine.assertNoWorkspace();
  }

  private static void assertNoSecret(List<String> texts) {
    String b64 = Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8));
    for (String text : texts) {
      assertThat(text).doesNotContain(SECRET).doesNotContain(b64);
    }
  }

  private static String md5(String s) throws Exception {
    byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
    return String.format("%032x", new BigInteger(1, d));
  }
}
