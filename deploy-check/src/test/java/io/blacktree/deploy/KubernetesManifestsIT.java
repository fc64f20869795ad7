package io.blacktree.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blacktree.cli.OpsEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders every overlay of {@code deploy/kubernetes} with kustomize (as {@code kubectl apply -k} would), parses
 * every object strictly into the Kubernetes API model, and checks it against {@code blacktree <command> --help} and
 * the ops server ({@link ManifestCheck}); a copy that names a flag the CLI does not have fails the same way.
 */
class KubernetesManifestsIT {
  private static Kustomize kustomize;
  private static ManifestCheck check;
  private static Set<String> opsPaths;

  @TempDir Path tmp;

  @BeforeAll
  static void kustomizeAndCli() throws Exception {
    ServiceRequirement.requireThat(Kustomize.find().isPresent(),
        "kustomize (scripts/services start kustomize builds it into $BLACKTREE_HOME/go/bin)");
    kustomize = Kustomize.find().orElseThrow();
    opsPaths = OpsEndpoints.served();
    check = new ManifestCheck(CliSurface.fromHelp(), opsPaths);
  }

  private List<HasMetadata> render(ManifestTree tree, String overlay) throws Exception {
    return KubernetesObjects.parse(kustomize.build(tree.overlay(overlay)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"production", "node-docker-socket"})
  void render_overlay_everyObjectStrictAndMatchesTheCli(String overlay) throws Exception {
    List<HasMetadata> objects = render(ManifestTree.copyInto(tmp), overlay);

    assertThat(check.problems(objects)).isEmpty();
    assertThat(objects).extracting(HasMetadata::getKind)
        .contains("Deployment", "StatefulSet", "Job", "PodDisruptionBudget", "Secret", "ConfigMap", "NetworkPolicy");
    assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getNamespace())
        .as("%s/%s namespace", o.getKind(), o.getMetadata().getName())
        .isIn("blacktree", null));
  }

  @Test
  void render_production_bridgesReplicatedBuildHostsOnePerPodWithDrainAndBudgets() throws Exception {
    List<HasMetadata> objects = render(ManifestTree.copyInto(tmp), "production");

    Deployment bridge = one(objects, Deployment.class, "blacktree-bridge");
    StatefulSet host = one(objects, StatefulSet.class, "blacktree-build-host");
    assertThat(bridge.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    assertThat(host.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    assertThat(host.getSpec().getTemplate().getSpec().getContainers()).extracting(c -> c.getArgs().get(0))
        .containsExactly("worker", "orchestrator");
    assertThat(host.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isGreaterThan((long) ManifestCheck.WORKER_DRAIN_SECONDS);
    Container engine = host.getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertThat(engine.getRestartPolicy()).as("engine is a native sidecar, stopped after the worker").isEqualTo("Always");
    assertThat(objects).filteredOn(PodDisruptionBudget.class::isInstance).hasSize(2);
    assertThat(one(objects, Job.class, "blacktree-setup").getSpec().getTemplate().getSpec().getContainers().get(0)
        .getArgs().get(0)).isEqualTo("setup");
    assertThat(objects).filteredOn(Secret.class::isInstance).extracting(o -> o.getMetadata().getName())
        .allMatch(name -> name.matches("blacktree-[a-z-]+-[a-z0-9]{10}"), "generated with a content hash");
  }

  @Test
  void render_nodeDockerSocket_noPrivilegedContainerWorkerOnNodeSocket() throws Exception {
    List<HasMetadata> objects = render(ManifestTree.copyInto(tmp), "node-docker-socket");

    StatefulSet host = one(objects, StatefulSet.class, "blacktree-build-host");
    assertThat(host.getSpec().getTemplate().getSpec().getInitContainers()).isEmpty();
    assertThat(host.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("--docker-host=unix:///var/run/docker.sock");
    assertThat(host.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getHostPath() != null)
        .extracting(v -> v.getHostPath().getPath()).containsExactly("/var/run/docker.sock");
  }

  @Test
  void render_copyNamingAFlagTheCliLacks_failsNamingFlagAndCommand() throws Exception {
    ManifestTree tree = ManifestTree.copyInto(tmp);
    tree.edit("base/build-host.yaml", "- --git-cache-dir=", "- --git-cache-directory=");

    List<String> problems = check.problems(render(tree, "production"));

    assertThat(problems).containsExactly("StatefulSet/blacktree-build-host container worker: "
        + "flag --git-cache-directory is not in `blacktree worker --help`");
  }

  @Test
  void render_copyWithAnUnknownField_refusedByTheModel() throws Exception {
    ManifestTree tree = ManifestTree.copyInto(tmp);
    tree.edit("base/build-host.yaml", "  podManagementPolicy: Parallel", "  podManagementPolicy: Parallel\n  maxSurge: 1");

    String rendered = kustomize.build(tree.overlay("production"));

    assertThatThrownBy(() -> KubernetesObjects.parse(rendered))
        .hasMessageContaining("apps/v1 StatefulSet blacktree-build-host").hasMessageContaining("maxSurge");
  }

  @Test
  void scrapeConfig_keepsEveryMetricsPortOnAServedPath() throws Exception {
    List<HasMetadata> objects = render(ManifestTree.copyInto(tmp), "production");
    Map<String, Object> job = scrapeJob();
    Pattern keepPort = keepRegex(job, "__meta_kubernetes_pod_container_port_name");

    assertThat(opsPaths).contains((String) job.get("metrics_path"));
    List<String> metricsPorts = objects.stream().flatMap(KubernetesManifestsIT::blacktreeContainers)
        .flatMap(c -> c.getPorts().stream()).map(ContainerPort::getName).toList();
    assertThat(metricsPorts).containsExactlyInAnyOrder("metrics", "worker-metrics", "orch-metrics");
    assertThat(metricsPorts).allMatch(name -> keepPort.matcher(name).matches(), "kept by " + keepPort);
    assertThat(keepPort.matcher("grpc").matches()).isFalse();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> scrapeJob() {
    List<Map<String, Object>> jobs =
        (List<Map<String, Object>>) ManifestTree.yaml("prometheus/scrape-config.yaml").get("scrape_configs");
    return jobs.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Pattern keepRegex(Map<String, Object> job, String label) {
    return ((List<Map<String, Object>>) job.get("relabel_configs")).stream()
        .filter(r -> "keep".equals(r.get("action")) && ((List<String>) r.get("source_labels")).contains(label))
        .map(r -> Pattern.compile((String) r.get("regex"))).findFirst().orElseThrow();
  }

  private static Stream<Container> blacktreeContainers(HasMetadata o) {
    List<Container> containers = o instanceof Deployment d ? d.getSpec().getTemplate().getSpec().getContainers()
        : o instanceof StatefulSet s ? s.getSpec().getTemplate().getSpec().getContainers() : List.of();
    return containers.stream().filter(c -> BlacktreeContainer.isBlacktreeImage(c.getImage()));
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
    return objects.stream().filter(type::isInstance).map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name)).findFirst().orElseThrow();
  }
}
