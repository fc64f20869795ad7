package io.blacktree.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blacktree.cli.OpsEndpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The check over single files of {@code deploy/kubernetes/base} (no kustomize needed): the real files pass, and a
 * copy broken on purpose fails with a message naming what is wrong.
 */
class ManifestCheckTest {
  private static ManifestCheck check;
  private static String siteObjects;

  @BeforeAll
  static void cliAndOpsServer() throws Exception {
    check = new ManifestCheck(CliSurface.fromHelp(), OpsEndpoints.served());
    try (InputStream in = ManifestCheckTest.class.getResourceAsStream("/fixtures/site-objects.yaml")) {
      siteObjects = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static List<String> problems(String manifest) throws IOException {
    List<HasMetadata> objects = new ArrayList<>(KubernetesObjects.parse(manifest));
    objects.addAll(KubernetesObjects.parse(ManifestTree.source("base/service-accounts.yaml")));
    objects.addAll(KubernetesObjects.parse(siteObjects));
    return check.problems(objects);
  }

  private static String bridge() {
    return ManifestTree.source("base/bridge.yaml");
  }

  private static String buildHost() {
    return ManifestTree.source("base/build-host.yaml");
  }

  private static String edited(String text, String from, String to) {
    assertThat(text).contains(from);
    return text.replace(from, to);
  }

  @Test
  void problems_baseFilesAsWritten_none() throws Exception {
    assertThat(problems(bridge())).isEmpty();
    assertThat(problems(buildHost())).isEmpty();
    assertThat(problems(ManifestTree.source("base/setup-job.yaml"))).isEmpty();
  }

  @Test
  void problems_bridgeNamesFlagTheCliLacks_failsNamingFlagAndCommand() throws Exception {
    String broken = edited(bridge(), "- --prefetch=10", "- --prefetch-count=10");

    assertThat(problems(broken)).containsExactly(
        "Deployment/blacktree-bridge container bridge: flag --prefetch-count is not in `blacktree bridge --help`");
  }

  @Test
  void problems_workerFlagOfAnotherCommand_failsNamingIt() throws Exception {
    String broken = edited(buildHost(), "- --git-cache-dir=/var/lib/blacktree/git-cache",
        "- --git-cache-dir=/var/lib/blacktree/git-cache\n            - --queue-ttl=PT1H");

    assertThat(problems(broken)).containsExactly("StatefulSet/blacktree-build-host container worker: "
        + "flag --queue-ttl is not in `blacktree worker --help`");
  }

  @Test
  void problems_variableTheCommandDoesNotRead_failsNamingIt() throws Exception {
    String broken = edited(bridge(), "            - name: JAVA_TOOL_OPTIONS",
        "            - name: BLACKTREE_WORKERS\n              value: 127.0.0.1:50051\n            - name: JAVA_TOOL_OPTIONS");

    assertThat(problems(broken)).containsExactly("Deployment/blacktree-bridge container bridge: env BLACKTREE_WORKERS "
        + "is not read by `blacktree bridge` (no such flag or variable in its --help)");
  }

  @Test
  void problems_probePathTheOpsServerLacks_failsNamingServedPaths() throws Exception {
    String broken = edited(bridge(), "path: /health/ready", "path: /healthz");

    assertThat(problems(broken)).containsExactly("Deployment/blacktree-bridge container bridge: probe path /healthz "
        + "is not served by the ops server (it serves [/health/live, /health/ready, /metrics])");
  }

  @Test
  void problems_probeOnAnotherPort_failsNamingBoth() throws Exception {
    String broken = edited(bridge(), "- --metrics-port=9464", "- --metrics-port=9470");

    assertThat(problems(broken)).contains(
        "Deployment/blacktree-bridge container bridge: --metrics-port 9470 is not a declared containerPort",
        "Deployment/blacktree-bridge container bridge: probe /health/live goes to port 9464, not --metrics-port 9470");
  }

  @Test
  void problems_passwordAsEnvValue_failsAskingForAFile() throws Exception {
    String broken = edited(bridge(), "            - name: JAVA_TOOL_OPTIONS",
        "            - name: BLACKTREE_AMQP_PASSWORD\n              value: hunter2\n            - name: JAVA_TOOL_OPTIONS");

    assertThat(problems(broken)).containsExactly("Deployment/blacktree-bridge container bridge: env "
        + "BLACKTREE_AMQP_PASSWORD holds a credential as a plain value; mount it as a file");
  }

  @Test
  void problems_tokenFileOnNoMountedVolume_failsNamingPath() throws Exception {
    String broken = edited(buildHost(), "- --git-token-file=/etc/blacktree/git/token",
        "- --git-token-file=/etc/blacktree/gitlab/token");

    assertThat(problems(broken)).containsExactly("StatefulSet/blacktree-build-host container worker: "
        + "--git-token-file /etc/blacktree/gitlab/token is on no volume mounted in the container");
  }

  @Test
  void problems_orchestratorOwningAnotherHostsWorker_failsNamingItsOwn() throws Exception {
    String broken = edited(buildHost(), "- --workers=127.0.0.1:50051", "- --workers=blacktree-build-host-1:50051");

    assertThat(problems(broken)).containsExactly("StatefulSet/blacktree-build-host container orchestrator: --workers "
        + "blacktree-build-host-1:50051 is not exactly the worker of its own pod [127.0.0.1:50051]: an orchestrator "
        + "owns only the worker beside it");
  }

  @Test
  void problems_workerListeningBeyondLoopback_failsNamingTheUnit() throws Exception {
    String broken = edited(buildHost(), "- --listen=127.0.0.1", "- --listen=0.0.0.0");

    assertThat(problems(broken)).containsExactly("StatefulSet/blacktree-build-host container worker: --listen 0.0.0.0 "
        + "is not 127.0.0.1: only the orchestrator beside it may reach the worker, over the pod's loopback");
  }

  @Test
  void problems_graceShorterThanWorkerDrain_failsNamingDrain() throws Exception {
    String broken = edited(buildHost(), "terminationGracePeriodSeconds: 90", "terminationGracePeriodSeconds: 30");

    assertThat(problems(broken)).containsExactly("StatefulSet/blacktree-build-host: terminationGracePeriodSeconds 30 "
        + "does not cover the worker's drain of 70 s: the kubelet would kill a build's cleanup");
  }

  @Test
  void problems_noDisruptionBudget_failsNamingWorkload() throws Exception {
    String broken = bridge().substring(0, bridge().indexOf("---\napiVersion: policy/v1"));

    assertThat(problems(broken)).containsExactly("Deployment/blacktree-bridge: no PodDisruptionBudget selects its pods");
  }

  @Test
  void parse_unknownField_failsNamingFieldAndObject() {
    String broken = edited(bridge(), "  replicas: 2", "  replicass: 2");

    assertThatThrownBy(() -> KubernetesObjects.parse(broken))
        .isInstanceOf(KubernetesObjects.InvalidManifestException.class)
        .hasMessageContaining("apps/v1 Deployment blacktree-bridge")
        .hasMessageContaining("replicass");
  }

  @Test
  void parse_unknownFieldDeepInPodTemplate_failsNamingIt() {
    String broken = edited(bridge(), "          readinessProbe:", "          readynessProbe:");

    assertThatThrownBy(() -> KubernetesObjects.parse(broken))
        .isInstanceOf(KubernetesObjects.InvalidManifestException.class)
        .hasMessageContaining("readynessProbe");
  }

  @Test
  void parse_kindOutsideTheExpectedSet_fails() {
    assertThatThrownBy(() -> KubernetesObjects.parse("apiVersion: extensions/v1beta1\nkind: Deployment\n"
        + "metadata:\n  name: old\n"))
        .isInstanceOf(KubernetesObjects.InvalidManifestException.class)
        .hasMessageContaining("extensions/v1beta1 Deployment old");
  }

  @Test
  void served_opsServer_healthAndMetricsPaths() throws Exception {
    assertThat(OpsEndpoints.served()).isEqualTo(Set.of("/health/live", "/health/ready", "/metrics"));
  }
}
