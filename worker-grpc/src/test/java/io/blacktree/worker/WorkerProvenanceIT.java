package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.docker;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.testsupport.Cosign;
import io.blacktree.testsupport.SigningKeys;
import io.blacktree.testsupport.git.GitHttpServer;
import io.blacktree.worker.provenance.AttestationSigner;
import io.blacktree.worker.provenance.AttestationStore;
import io.blacktree.worker.provenance.DsseEnvelope;
import io.blacktree.worker.provenance.EcKeys;
import io.blacktree.worker.provenance.ProvenanceStatement;
import io.blacktree.worker.provenance.ProvenanceVerifier;
import io.blacktree.worker.provenance.ProvenanceVerifier.Policy;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The provenance a real worker attaches to the image it pushed: signed with the worker's key, found and accepted
 * by {@code cosign verify-attestation} and by {@link ProvenanceVerifier}; both reject the image once its
 * attestation is replaced by one signed with another key, and once its tag is moved to another digest (with no
 * attestation, or with the old attestation copied next to it). A canary build-arg value, git token and registry
 * password never reach the statement or anything stored with it.
 */
class WorkerProvenanceIT extends WorkerItBase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final AttestationStore STORE = new AttestationStore(HTTP);
  private static final RegistryAuth OPEN = RegistryAuth.of(WorkerFixture.OPEN_REGISTRY, null, null);
  private static SigningKeys keys;

  @Override
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    try {
      keys = SigningKeys.create(dir.resolve("keys"), "worker", SigningKeys.Format.SEC1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return defaults.signingKeyFile(keys.privateKey()).requireSigning(true);
  }

  @Test
  void runJob_withSigningKey_attestationVerifiesThenRejectsForgedKeyAndMovedTag() throws Exception {
    Cosign cosign = Cosign.require(dir.resolve("cosign-home"));
    String baseRepo = unique("prov-base");
    repos.create(baseRepo, "main", app("base layer"));
    JobResponse base = worker.stub(300).runJob(request(baseRepo, "main", "v1").build());
    assertThat(base.getStatus()).as(base.getErrorMessage() + "\n" + base.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    String repo = unique("prov-app");
    Map<String, Object> files = new LinkedHashMap<>(app("app on base"));
    files.put("Dockerfile", "ARG BASE=" + base.getImageUrl() + "\nFROM ${BASE} AS runtime\nARG NOTE\n"
        + "COPY hello.txt /app.txt\nCMD [\"/bin/busybox\", \"cat\", \"/app.txt\"]\n");
    String sha = repos.create(repo, "main", files);
    JobRequest req = request(repo, "main", "v1").putBuildArgs("NOTE", "hello").build();

    JobResponse r = worker.stub(300).runJob(req);

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(r.getAttestation().getSigned()).isTrue();
    assertThat(r.getAttestation().getReference())
        .isEqualTo(WorkerFixture.OPEN_REGISTRY + "/" + repo + ":" + r.getDigest().replace(':', '-') + ".att");
    assertThat(r.getAttestation().getReferrer()).as("distribution 2.8 has no referrers API").isFalse();
    assertThat(r.getAttestation().getDigest())
        .isEqualTo(STORE.manifest(OPEN, repo, AttestationStore.attestationTag(r.getDigest())).orElseThrow().digest());

    List<DsseEnvelope> envelopes = STORE.attestations(OPEN, repo, r.getDigest());
    assertThat(envelopes).hasSize(1);
    JsonNode st = JSON.readTree(envelopes.get(0).payload());
    assertThat(st.path("subject").path(0).path("digest").path("sha256").asText()).isEqualTo(hex(r.getDigest()));
    JsonNode def = st.path("predicate").path("buildDefinition");
    assertThat(def.path("externalParameters").path("buildArgs").toString()).isEqualTo("[\"NOTE\"]");
    assertThat(def.path("resolvedDependencies").path(0).path("digest").path("gitCommit").asText()).isEqualTo(sha);
    assertThat(def.path("resolvedDependencies").path(1).path("name").asText()).isEqualTo(base.getImageUrl());
    assertThat(def.path("resolvedDependencies").path(1).path("digest").path("sha256").asText())
        .as("the base image by the digest its own job pushed").isEqualTo(hex(base.getDigest()));
    assertThat(def.path("resolvedDependencies")).as("the stage name is not a base image").hasSize(2);
    JsonNode run = st.path("predicate").path("runDetails");
    assertThat(run.path("builder").path("id").asText()).isEqualTo("urn:blacktree:worker:it-worker");
    assertThat(run.path("metadata").path("invocationId").asText()).isEqualTo(req.getWorkflowId() + "/attempt/1");

    PublicKey pub = EcKeys.readPublicKey(keys.publicKey());
    Policy policy = new Policy(repo, "main", sha, req.getWorkflowId());
    String image = r.getImageUrl();
    assertThat(ProvenanceVerifier.verify(envelopes, pub, r.getDigest(), policy))
        .isInstanceOf(ProvenanceVerifier.Verified.class);
    assertThat(ProvenanceVerifier.verify(envelopes, pub, r.getDigest(), new Policy(repo, "release", null, null)))
        .isEqualTo(new ProvenanceVerifier.Rejected("built from branch main, not release"));
    Cosign.Result ok = cosign.verifyAttestation(keys.publicKey(), image);
    assertThat(ok.exitCode()).as(ok.output()).isZero();
    assertThat(ok.output()).contains("The signatures were verified against the specified public key");

    SigningKeys other = SigningKeys.create(dir.resolve("keys"), "attacker", SigningKeys.Format.PKCS8);
    STORE.attach(OPEN, repo, r.getDigest(), AttestationSigner.fromKeyFile(other.privateKey())
        .envelope(envelopes.get(0).payload()), ProvenanceStatement.PREDICATE_TYPE);
    assertThat(verdict(repo, r.getDigest(), pub, policy)).isEqualTo(new ProvenanceVerifier.Rejected(
        "the attestation's signature does not verify with the given public key"));
    assertThat(cosign.verifyAttestation(keys.publicKey(), image).exitCode()).isNotZero();
    assertThat(cosign.verifyAttestation(other.publicKey(), image).exitCode())
        .as("the forged attestation is well-formed: the attacker's own key accepts it").isZero();

    docker("pull", base.getImageUrl());
    docker("tag", base.getImageUrl(), image);
    docker("push", image);
    String moved = STORE.manifest(OPEN, repo, "v1").orElseThrow().digest();
    assertThat(moved).isNotEqualTo(r.getDigest());
    assertThat(verdict(repo, moved, pub, policy))
        .isEqualTo(new ProvenanceVerifier.Rejected("no attestation is attached to " + moved));
    assertThat(cosign.verifyAttestation(keys.publicKey(), image).exitCode()).isNotZero();
    STORE.attach(OPEN, repo, moved, envelopes.get(0), ProvenanceStatement.PREDICATE_TYPE);
    assertThat(verdict(repo, moved, pub, policy)).isEqualTo(new ProvenanceVerifier.Rejected("the attestation is for "
        + r.getDigest() + ", not for the image's current digest " + moved));
    Cosign.Result copied = cosign.verifyAttestation(keys.publicKey(), image);
    assertThat(copied.exitCode()).as(copied.output()).isNotZero();
    worker.assertNoWorkspace();
  }

  @Test
  void runJob_canaryBuildArgGitTokenAndRegistryPassword_neverInTheAttestation() throws Exception {
    String token = "git-canary-" + UUID.randomUUID();
    String argValue = "arg-canary-" + UUID.randomUUID();
    String repo = unique("prov-canary");
    repos.create(repo, "main", app("canary", "ARG DEPLOY_NOTE\nRUN [\"/bin/busybox\", \"true\"]\n"));
    try (GitHttpServer http = GitHttpServer.start(repos.baseDir(), token);
         WorkerFixture w = WorkerFixture.start(dir.resolve("w-canary"), http.baseUrl(),
             new StaticLogin(WorkerFixture.AUTH_REGISTRY, WorkerFixture.REGISTRY_USER, WorkerFixture.REGISTRY_PASSWORD),
             WorkerFixture.gitToken(token), c -> c.signingKeyFile(keys.privateKey()).requireSigning(true))) {
      JobResponse r = w.stub(300).runJob(request(repo, "main", "v1").putBuildArgs("DEPLOY_NOTE", argValue).build());

      assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
      RegistryAuth auth = RegistryAuth.of(WorkerFixture.AUTH_REGISTRY, WorkerFixture.REGISTRY_USER,
          WorkerFixture.REGISTRY_PASSWORD);
      List<DsseEnvelope> envelopes = STORE.attestations(auth, repo, r.getDigest());
      assertThat(envelopes).hasSize(1);
      String statement = new String(envelopes.get(0).payload(), StandardCharsets.UTF_8);
      assertThat(statement).contains("DEPLOY_NOTE").contains(http.baseUrl().replaceFirst("/$", ""));
      List<String> stored = new ArrayList<>(List.of(statement,
          new String(envelopes.get(0).toJson(), StandardCharsets.UTF_8),
          new String(STORE.manifest(auth, repo, AttestationStore.attestationTag(r.getDigest())).orElseThrow().body(),
              StandardCharsets.UTF_8), r.getLogs(), r.toString()));
      for (String secret : List.of(token, argValue, WorkerFixture.REGISTRY_PASSWORD)) {
        String b64 = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
        for (String s : stored) {
          assertThat(s).doesNotContain(secret).doesNotContain(b64);
        }
      }
      assertThat(ProvenanceVerifier.verify(envelopes, EcKeys.readPublicKey(keys.publicKey()), r.getDigest(),
          new Policy(repo, "main", r.getCommitSha(), null))).isInstanceOf(ProvenanceVerifier.Verified.class);
    }
  }

  private static ProvenanceVerifier.Verdict verdict(String repo, String digest, PublicKey key, Policy policy)
      throws Exception {
    return ProvenanceVerifier.verify(STORE.attestations(OPEN, repo, digest), key, digest, policy);
  }

  private static String hex(String digest) {
    return digest.substring(digest.indexOf(':') + 1);
  }
}
