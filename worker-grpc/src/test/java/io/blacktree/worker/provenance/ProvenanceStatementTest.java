package io.blacktree.worker.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.worker.provenance.ProvenanceStatement.BaseImage;
import io.blacktree.worker.provenance.ProvenanceStatement.Invocation;
import io.blacktree.worker.provenance.ProvenanceStatement.Recipe;
import io.blacktree.worker.provenance.ProvenanceStatement.Source;
import io.blacktree.worker.provenance.ProvenanceStatement.Subject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProvenanceStatementTest {
  static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  static final String DIGEST = "sha256:" + "ab".repeat(32);

  static byte[] statement(String workflowId) {
    return ProvenanceStatement.toJson(new Subject("127.0.0.1:5000/app-images", DIGEST),
        new Source("demo/hello", URI.create("https://user:tok@git.example.com/demo/hello?x=1"), "main", "", SHA),
        new Recipe("v1", "Dockerfile", ".", List.of("ZETA", "ALPHA"), null),
        List.of(new BaseImage("127.0.0.1:5000/base:1", "sha256:" + "cd".repeat(32)),
            new BaseImage("alpine:3", null)),
        new Invocation("host:50051", "1.0", workflowId, 2, workflowId + "/run/2",
            Instant.parse("2026-12-06T06:00:00Z"), Instant.parse("2026-12-06T06:00:05Z")));
  }

  @Test
  void toJson_aBuild_isASlsaV1StatementAboutTheDigest() throws Exception {
    JsonNode st = new ObjectMapper().readTree(statement("deploy:1:us-east-1:app-images:v1"));

    assertThat(st.path("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
    assertThat(st.path("predicateType").asText()).isEqualTo("https://slsa.dev/provenance/v1");
    assertThat(st.path("subject").path(0).path("name").asText()).isEqualTo("127.0.0.1:5000/app-images");
    assertThat(st.path("subject").path(0).path("digest").path("sha256").asText()).isEqualTo("ab".repeat(32));
    JsonNode def = st.path("predicate").path("buildDefinition");
    assertThat(def.path("buildType").asText()).isEqualTo(ProvenanceStatement.BUILD_TYPE);
    assertThat(def.path("externalParameters").path("buildArgs").toString()).isEqualTo("[\"ALPHA\",\"ZETA\"]");
    assertThat(def.path("externalParameters").has("commit")).as("no commit was requested").isFalse();
    assertThat(def.path("externalParameters").has("target")).isFalse();
    assertThat(def.path("resolvedDependencies").path(0).path("uri").asText())
        .isEqualTo("git+https://git.example.com/demo/hello@refs/heads/main");
    assertThat(def.path("resolvedDependencies").path(0).path("digest").path("gitCommit").asText()).isEqualTo(SHA);
    assertThat(def.path("resolvedDependencies").path(1).path("digest").path("sha256").asText())
        .isEqualTo("cd".repeat(32));
    assertThat(def.path("resolvedDependencies").path(2).has("digest")).as("unresolved base").isFalse();
    JsonNode run = st.path("predicate").path("runDetails");
    assertThat(run.path("builder").path("id").asText()).isEqualTo("urn:blacktree:worker:host:50051");
    assertThat(run.path("metadata").path("invocationId").asText()).isEqualTo("deploy:1:us-east-1:app-images:v1/attempt/2");
    assertThat(run.path("metadata").path("finishedOn").asText()).isEqualTo("2026-12-06T06:00:05Z");
  }

  @Test
  void toJson_urlWithUserInfo_keepsNoneOfIt() {
    String json = new String(statement("wf"), StandardCharsets.UTF_8);

    assertThat(json).doesNotContain("tok").doesNotContain("user").doesNotContain("x=1");
  }
}
