package io.blacktree.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blacktree.core.SecretRedactor;
import io.blacktree.e2e.support.BlacktreeStack;
import io.blacktree.e2e.support.Cli;
import io.blacktree.e2e.support.Docker;
import io.blacktree.e2e.support.HistoryTexts;
import io.blacktree.testsupport.RegistryClient;
import io.blacktree.testsupport.RegistryTexts;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServicesBuildKit;
import io.temporal.api.history.v1.History;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BuildKit secret mount on the real path: a request on RabbitMQ, the bridge, the workflow on the Temporal
 * server, the orchestrator's dispatch and a worker started with {@code --builder buildkit --build-secret
 * npm=FILE}, each a process. The job's RUN step reads the secret and writes its SHA-256 into the image, so the
 * image's output proves the build used it; after SUCCESS the value (nor its base64 form) is in none of: the
 * workflow's history read from Temporal (every payload decoded), the result message on the results exchange,
 * the job's logs ({@code jobs logs}, {@code jobs show --json}), the pushed image (manifest, config and every
 * layer read from the registry), the registry cache the build exported ({@code buildcache-main}), and the
 * processes' output.
 */
class BuildSecretE2EIT {
  private static final Duration JOB_BOUND = Duration.ofMinutes(4);

  @TempDir Path dir;

  @Test
  void buildSecretJob_runReadsTheSecret_valueInNoHistoryResultLogImageOrRegistryCache() throws Exception {
    ServicesBuildKit.require();
    String secret = "npmcanary" + UUID.randomUUID().toString().replace("-", "");
    Path file = Files.writeString(dir.resolve("npm-token"), secret + "\n");
    try (BlacktreeStack stack = BlacktreeStack.start(BuildSecretE2EIT.class, dir, component ->
        component.equals("worker") ? List.of("--builder", "buildkit", "--buildkit-addr", ServicesBuildKit.address(),
            "--buildctl", ServicesBuildKit.buildctl().toString(), "--build-secret", "npm=" + file) : List.of())) {
      String repo = "acme/" + stack.ids().next("secret");
      stack.repos().create(repo, "main", app());
      String ecrRepo = stack.newEcrRepo("secret");

      String workflowId = stack.publish(repo, "main", "v1", ecrRepo);
      JsonNode result = stack.awaitResult(workflowId, JOB_BOUND);

      assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("SUCCESS");
      String image = result.path("image_url").asText() + "@" + result.path("digest").asText();
      assertThat(pullAndRun(image)).as("the RUN step read the whole secret file").isEqualTo(sha256(secret + "\n"));
      Cli.Result logs = stack.cli().run("jobs", "logs", workflowId);
      Cli.Result show = stack.cli().run("jobs", "show", workflowId, "--json");
      Cli.Result shown = stack.cli().run("jobs", "show", workflowId);
      assertThat(logs.exitCode()).as(logs.toString()).isZero();
      assertThat(show.exitCode()).as(show.toString()).isZero();
      assertThat(logs.out()).as("the RUN step printed the secret: redacted").contains(SecretRedactor.MASK)
          .contains("built by buildkit");
      assertThat(shown.out()).as("jobs show: the reuse figures, with the registry cache's count")
          .containsPattern("(?m)^reuse: +\\d+ cached steps \\(\\d+ from the registry cache\\), \\d+ layers already in "
              + "registry, \\d+ pushed, git mirror (hit|miss)$");
      List<RegistryTexts.Text> stored = RegistryTexts.of(RegistryClient.open(ServiceEndpoints.fromEnvironment()),
          ecrRepo);
      assertThat(stored).extracting(RegistryTexts.Text::where).as("the image and the registry cache read")
          .anyMatch(w -> w.startsWith("v1 layer")).anyMatch(w -> w.startsWith("v1 config"))
          .anyMatch(w -> w.startsWith("buildcache-main layer"));
      assertThat(stored).extracting(RegistryTexts.Text::content).as("the layers really were read")
          .anyMatch(c -> c.contains("BusyBox"));

      Map<String, String> seen = new LinkedHashMap<>();
      seen.put("result message", result.toString());
      seen.put("jobs logs", logs.out() + logs.err());
      seen.put("jobs show --json", show.out() + show.err());
      seen.put("jobs show", shown.out() + shown.err());
      List<String> payloads = new ArrayList<>();
      History history = history(workflowId);
      assertThat(HistoryTexts.decodePayloads(history, payloads)).as("payloads in the history").isGreaterThan(3);
      seen.put("history", history.toString());
      seen.put("history payloads", String.join("\n", payloads));
      stored.forEach(t -> seen.put("registry " + t.where(), t.content()));
      for (String component : List.of("worker", "orchestrator", "bridge")) {
        seen.put(component + " output", stack.log(component).orElseThrow());
      }
      assertThat(seen.get("history payloads")).as("the history holds the result").contains(result.path("digest")
          .asText());
      String b64 = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
      seen.forEach((where, text) -> assertThat(text).as(where).doesNotContain(secret).doesNotContain(b64));
    }
  }

  /**
   * An app whose RUN step prints the secret and keeps its SHA-256. BuildKit keys a RUN step's cache on its
   * command, not on the secret's content: the nonce keeps each run's command its own, so the step runs.
   */
  private static Map<String, Object> app() {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\n"
        + "RUN --mount=type=secret,id=npm [\"/bin/busybox\", \"sh\", \"-c\", \": " + UUID.randomUUID() + "; "
        + "/bin/busybox cat /run/secrets/npm; "
        + "/bin/busybox sha256sum /run/secrets/npm | /bin/busybox cut -c1-64 > /secret.sha256\"]\n"
        + "CMD [\"/bin/busybox\", \"cat\", \"/secret.sha256\"]\n");
    return files;
  }

  /** BuildKit pushed the image without loading it into the engine: pull it, run it, remove it. */
  private static String pullAndRun(String image) throws Exception {
    Docker.cli("pull", "-q", image);
    try {
      return Docker.runImage(image);
    } finally {
      Docker.cli("rmi", "-f", image);
    }
  }

  private static History history(String workflowId) throws InterruptedException {
    ServiceEndpoints endpoints = ServiceEndpoints.fromEnvironment();
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(endpoints.temporalTarget()).build());
    try {
      WorkflowClient temporal = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace(endpoints.temporalNamespace()).build());
      return HistoryTexts.closed(temporal, workflowId);
    } finally {
      stubs.shutdownNow();
    }
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
