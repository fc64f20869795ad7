package io.blacktree.deploy;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every path a container's settings name (a flag ending in -file, -ca, -cert, -key or -dir, {@code --workdir},
 * a {@code unix://} engine socket, a variable ending in _FILE, _CA, _CERT, _KEY or _DIR) must lie on a volume
 * mounted in that container; on a Secret volume it must be one of the Secret's keys. So a credential file named
 * in a flag is really there, from a Secret, when the process starts.
 */
final class MountedFiles {
  private static final Pattern PATH_FLAG = Pattern.compile("--(.*-(file|ca|cert|key|dir)|workdir)");
  private static final Pattern PATH_VARIABLE = Pattern.compile(".*_(FILE|CA|CERT|KEY|DIR)");

  private final PodSpec pod;
  private final Set<String> claims;
  private final Map<String, Secret> secrets;

  /** {@code claims}: the names of a StatefulSet's volumeClaimTemplates, which are volumes too. */
  MountedFiles(PodSpec pod, Set<String> claims, Map<String, Secret> secrets) {
    this.pod = pod;
    this.claims = Set.copyOf(claims);
    this.secrets = secrets;
  }

  List<String> problems(BlacktreeContainer c) {
    Map<String, String> paths = new LinkedHashMap<>();
    c.flags().forEach((k, v) -> {
      if (PATH_FLAG.matcher(k).matches()) {
        paths.put(k, v);
      } else if (v.startsWith("unix://")) {
        paths.put(k, v.substring("unix://".length()));
      }
    });
    c.env().forEach((k, v) -> {
      if (PATH_VARIABLE.matcher(k).matches() && !c.flags().containsKey(flagOf(k))) {
        paths.put(k, v);
      }
    });
    List<String> out = new ArrayList<>();
    paths.forEach((setting, path) -> check(c, setting, path).ifPresent(out::add));
    return out;
  }

  private Optional<String> check(BlacktreeContainer c, String setting, String path) {
    String at = c.where() + " container " + c.name() + ": " + setting + " " + path;
    if (!path.startsWith("/")) {
      return Optional.of(at + " is not an absolute path");
    }
    VolumeMount mount = c.container().getVolumeMounts().stream()
        .filter(m -> path.equals(m.getMountPath()) || path.startsWith(m.getMountPath() + "/"))
        .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()))
        .orElse(null);
    if (mount == null) {
      return Optional.of(at + " is on no volume mounted in the container");
    }
    Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElse(null);
    if (volume == null) {
      return claims.contains(mount.getName()) ? Optional.empty()
          : Optional.of(at + ": volume " + mount.getName() + " is not defined in the pod");
    }
    if (volume.getSecret() == null || !secrets.containsKey(volume.getSecret().getSecretName())) {
      return Optional.empty();
    }
    Secret secret = secrets.get(volume.getSecret().getSecretName());
    String key = path.substring(mount.getMountPath().length()).replaceFirst("^/", "");
    boolean present = (secret.getData() != null && secret.getData().containsKey(key))
        || (secret.getStringData() != null && secret.getStringData().containsKey(key));
    return present ? Optional.empty()
        : Optional.of(at + " is not a key of Secret " + volume.getSecret().getSecretName());
  }

  private static String flagOf(String variable) {
    return "--" + variable.replaceFirst("^BLACKTREE_", "").replace('_', '-').toLowerCase(java.util.Locale.ROOT);
  }
}
