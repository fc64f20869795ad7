package io.blacktree.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks rendered manifests against the blacktree CLI they run ({@link ContainerCheck} per container) and
 * against themselves: every ConfigMap, Secret and ServiceAccount a pod names exists; every file a setting names
 * lies on a volume mounted in that container (and, on a Secret volume, is one of the Secret's keys); a worker's
 * pod gives it longer than its drain to stop; an orchestrator owns only the worker in its own pod, over
 * loopback, with the worker's token; every Deployment and StatefulSet has a PodDisruptionBudget.
 */
final class ManifestCheck {
  /**
   * The worker's longest stop on SIGTERM: its gRPC server waits 10 s for open calls ({@code WorkerServer.close}),
   * then the stopped job gets 60 s to finish its cleanup ({@code JobRegistry.close}).
   */
  static final int WORKER_DRAIN_SECONDS = 10 + 60;

  private final ContainerCheck containers;

  ManifestCheck(CliSurface cli, Set<String> opsPaths) {
    this.containers = new ContainerCheck(cli, opsPaths);
  }

  /** Every problem of {@code objects}; empty when they are right. */
  List<String> problems(List<HasMetadata> objects) {
    Map<String, ConfigMap> configMaps = byName(objects, ConfigMap.class);
    Map<String, Secret> secrets = byName(objects, Secret.class);
    Set<String> accounts = byName(objects, ServiceAccount.class).keySet();
    List<String> out = new ArrayList<>();
    for (HasMetadata o : objects) {
      PodTemplateSpec template = templateOf(o);
      if (template == null) {
        continue;
      }
      String where = o.getKind() + "/" + o.getMetadata().getName();
      PodSpec pod = template.getSpec();
      if (pod.getServiceAccountName() != null && !accounts.contains(pod.getServiceAccountName())) {
        out.add(where + ": ServiceAccount " + pod.getServiceAccountName() + " is not in the manifests");
      }
      pod.getVolumes().stream().filter(v -> v.getSecret() != null && !secrets.containsKey(v.getSecret().getSecretName()))
          .forEach(v -> out.add(where + ": Secret " + v.getSecret().getSecretName() + " is not in the manifests"));
      List<BlacktreeContainer> blacktree = new ArrayList<>();
      for (Container c : Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList()) {
        if (BlacktreeContainer.isBlacktreeImage(c.getImage())) {
          BlacktreeContainer bc = BlacktreeContainer.read(where, c, environment(where, c, configMaps, out));
          blacktree.add(bc);
          out.addAll(containers.problems(bc));
          out.addAll(new MountedFiles(pod, claimNames(o), secrets).problems(bc));
        }
      }
      out.addAll(buildHostUnit(where, pod, blacktree));
      if ((o instanceof Deployment || o instanceof StatefulSet) && !hasDisruptionBudget(objects, template)) {
        out.add(where + ": no PodDisruptionBudget selects its pods");
      }
    }
    return out;
  }

  private static List<String> buildHostUnit(String where, PodSpec pod, List<BlacktreeContainer> blacktree) {
    List<String> out = new ArrayList<>();
    List<BlacktreeContainer> workers = blacktree.stream().filter(c -> c.command().equals("worker")).toList();
    long grace = pod.getTerminationGracePeriodSeconds() == null ? 30 : pod.getTerminationGracePeriodSeconds();
    if (!workers.isEmpty() && grace <= WORKER_DRAIN_SECONDS) {
      out.add(where + ": terminationGracePeriodSeconds " + grace + " does not cover the worker's drain of "
          + WORKER_DRAIN_SECONDS + " s: the kubelet would kill a build's cleanup");
    }
    for (BlacktreeContainer w : workers) {
      String listen = w.setting("--listen");
      if (listen == null || !listen.equals("127.0.0.1")) {
        out.add(where + " container " + w.name() + ": --listen " + listen + " is not 127.0.0.1: only the orchestrator "
            + "beside it may reach the worker, over the pod's loopback");
      }
      if (w.setting("--auth-token-file") == null && w.setting("--tls-client-ca") == null) {
        out.add(where + " container " + w.name() + ": the worker takes calls without a token or client certificate");
      }
    }
    Set<String> own = workers.stream().map(w -> "127.0.0.1:" + w.setting("--port")).collect(Collectors.toSet());
    for (BlacktreeContainer o : blacktree.stream().filter(c -> c.command().equals("orchestrator")).toList()) {
      String list = Objects.requireNonNullElse(o.setting("--workers"), "");
      Set<String> named = Set.of(list.split(","));
      if (own.isEmpty() || !own.equals(named)) {
        out.add(where + " container " + o.name() + ": --workers " + list + " is not exactly the worker of its own pod "
            + own + ": an orchestrator owns only the worker beside it");
      }
      for (BlacktreeContainer w : workers) {
        String token = w.setting("--auth-token-file");
        if (token != null && !token.equals(o.setting("--worker-auth-token-file"))) {
          out.add(where + " container " + o.name() + ": --worker-auth-token-file is not the worker's --auth-token-file " + token);
        }
      }
    }
    return out;
  }

  /** The container's variables: envFrom ConfigMaps first, then env (which wins, as in Kubernetes). */
  private static Map<String, String> environment(String where, Container c, Map<String, ConfigMap> configMaps,
      List<String> out) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource from : c.getEnvFrom()) {
      if (from.getSecretRef() != null) {
        out.add(where + " container " + c.getName() + ": envFrom Secret " + from.getSecretRef().getName()
            + " puts credentials in the environment; mount it as files");
      }
      if (from.getConfigMapRef() != null) {
        ConfigMap map = configMaps.get(from.getConfigMapRef().getName());
        if (map == null) {
          out.add(where + " container " + c.getName() + ": ConfigMap " + from.getConfigMapRef().getName()
              + " is not in the manifests");
        } else if (map.getData() != null) {
          env.putAll(map.getData());
        }
      }
    }
    for (EnvVar v : c.getEnv()) {
      if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
        out.add(where + " container " + c.getName() + ": env " + v.getName() + " comes from a Secret; mount it as a file");
      }
      env.put(v.getName(), v.getValue() == null ? "" : v.getValue());
    }
    return env;
  }

  private static boolean hasDisruptionBudget(List<HasMetadata> objects, PodTemplateSpec template) {
    Map<String, String> labels = template.getMetadata().getLabels();
    return objects.stream().filter(PodDisruptionBudget.class::isInstance).map(PodDisruptionBudget.class::cast)
        .map(p -> p.getSpec().getSelector().getMatchLabels())
        .anyMatch(selector -> selector != null && !selector.isEmpty()
            && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey()))));
  }

  private static Set<String> claimNames(HasMetadata o) {
    return o instanceof StatefulSet s
        ? s.getSpec().getVolumeClaimTemplates().stream().map(c -> c.getMetadata().getName()).collect(Collectors.toSet())
        : Set.of();
  }

  private static PodTemplateSpec templateOf(HasMetadata o) {
    if (o instanceof Deployment d) {
      return d.getSpec().getTemplate();
    }
    if (o instanceof StatefulSet s) {
      return s.getSpec().getTemplate();
    }
    if (o instanceof Job j) {
      return j.getSpec().getTemplate();
    }
    return null;
  }

  private static <T extends HasMetadata> Map<String, T> byName(List<HasMetadata> objects, Class<T> type) {
    Map<String, T> out = new LinkedHashMap<>();
    objects.stream().filter(type::isInstance).map(type::cast).forEach(o -> out.put(o.getMetadata().getName(), o));
    return out;
  }
}
