package io.blacktree.deploy;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The rules for one blacktree container against the CLI it runs: the command exists; every flag and every
 * {@code BLACKTREE_*} variable is in that command's {@code --help}; no credential is an argument or an env value
 * (they are files from mounted Secrets); the long-running commands serve their health on a declared port, bound
 * beyond loopback, and probe only paths the ops server serves, on that port; each has resource requests and a
 * memory limit.
 */
final class ContainerCheck {
  /** Commands that run until stopped: they need probes, a metrics port and resources. */
  static final Set<String> LONG_RUNNING = Set.of("worker", "orchestrator", "bridge");
  private static final Pattern CREDENTIAL_VARIABLE =
      Pattern.compile("(?i).*(PASSWORD|TOKEN|SECRET|API_KEY|ACCESS_KEY|PRIVATE_KEY)");
  private static final Pattern CREDENTIAL_FLAG = Pattern.compile("--.*(password|token|api-key)");
  private static final Pattern URL_WITH_PASSWORD = Pattern.compile("://[^/@\\s:]+:[^/@\\s]+@");
  private static final Set<String> INSECURE_FLAGS = Set.of("--insecure-listen", "--insecure-workers");

  private final CliSurface cli;
  private final Set<String> opsPaths;

  ContainerCheck(CliSurface cli, Set<String> opsPaths) {
    this.cli = cli;
    this.opsPaths = new TreeSet<>(opsPaths);
  }

  List<String> problems(BlacktreeContainer c) {
    List<String> out = new ArrayList<>(cliProblems(c));
    String at = c.where() + " container " + c.name();
    if (c.container().getCommand() != null && !c.container().getCommand().isEmpty()) {
      out.add(at + ": sets command; the image's entrypoint is the CLI, give the blacktree command in args");
    }
    if (cli.command(c.command()) == null) {
      return out;
    }
    for (Map.Entry<String, String> flag : c.flags().entrySet()) {
      if (CREDENTIAL_FLAG.matcher(flag.getKey()).matches() && !flag.getValue().isEmpty()) {
        out.add(at + ": " + flag.getKey() + " puts a credential on the command line; use its -file flag");
      }
      if (INSECURE_FLAGS.contains(flag.getKey())) {
        out.add(at + ": " + flag.getKey() + " turns off the worker link's protection");
      }
    }
    for (Map.Entry<String, String> env : c.env().entrySet()) {
      if (CREDENTIAL_VARIABLE.matcher(env.getKey()).matches() && !env.getValue().isEmpty()) {
        out.add(at + ": env " + env.getKey() + " holds a credential as a plain value; mount it as a file");
      }
    }
    c.flags().values().stream().filter(v -> URL_WITH_PASSWORD.matcher(v).find())
        .forEach(v -> out.add(at + ": a URL argument carries a password"));
    c.env().forEach((k, v) -> {
      if (URL_WITH_PASSWORD.matcher(v).find()) {
        out.add(at + ": env " + k + " is a URL that carries a password");
      }
    });
    if (LONG_RUNNING.contains(c.command())) {
      out.addAll(serving(c, at));
      out.addAll(resources(c.container().getResources(), at));
    }
    return out;
  }

  /**
   * Only what the CLI itself decides: the command is in {@code blacktree --help}, every flag in its
   * {@code --help}, every {@code BLACKTREE_*} variable read by it (also for compose files, which pass credentials
   * through the environment on purpose).
   */
  List<String> cliProblems(BlacktreeContainer c) {
    List<String> out = new ArrayList<>();
    String at = c.where() + " container " + c.name();
    CliSurface.Command command = cli.command(c.command());
    if (command == null) {
      out.add(at + ": args[0] '" + c.command() + "' is not a command of `blacktree --help` " + cli.commandNames());
      return out;
    }
    for (String arg : c.malformedArgs()) {
      out.add(at + ": argument '" + arg + "' is not a flag; write every flag as --name=value");
    }
    for (String flag : c.flags().keySet()) {
      if (!command.flags().contains(flag)) {
        out.add(at + ": flag " + flag + " is not in `blacktree " + c.command() + " --help`");
      }
    }
    for (String variable : c.env().keySet()) {
      if (variable.startsWith("BLACKTREE_") && !command.variables().contains(variable)) {
        out.add(at + ": env " + variable + " is not read by `blacktree " + c.command()
            + "` (no such flag or variable in its --help)");
      }
    }
    return out;
  }

  /** Health on a declared, reachable port; probes on served paths of that port. */
  private List<String> serving(BlacktreeContainer c, String at) {
    List<String> out = new ArrayList<>();
    String port = c.setting("--metrics-port");
    if (port == null || port.equals("0")) {
      out.add(at + ": no --metrics-port: nothing serves its health endpoints");
      return out;
    }
    List<ContainerPort> ports = c.container().getPorts() == null ? List.of() : c.container().getPorts();
    if (ports.stream().noneMatch(p -> String.valueOf(p.getContainerPort()).equals(port))) {
      out.add(at + ": --metrics-port " + port + " is not a declared containerPort");
    }
    String bind = c.setting("--metrics-bind");
    if (bind == null || bind.startsWith("127.") || bind.equals("localhost") || bind.equals("::1")) {
      out.add(at + ": --metrics-bind " + bind + " is loopback (or unset): the kubelet and Prometheus connect to the pod IP");
    }
    Probe liveness = c.container().getLivenessProbe();
    Probe readiness = c.container().getReadinessProbe();
    if (liveness == null || liveness.getHttpGet() == null || readiness == null || readiness.getHttpGet() == null) {
      out.add(at + ": needs an httpGet livenessProbe and readinessProbe");
    }
    for (Probe probe : new Probe[] {c.container().getStartupProbe(), liveness, readiness}) {
      HTTPGetAction get = probe == null ? null : probe.getHttpGet();
      if (get == null) {
        continue;
      }
      if (!opsPaths.contains(get.getPath())) {
        out.add(at + ": probe path " + get.getPath() + " is not served by the ops server (it serves " + opsPaths + ")");
      }
      String probePort = get.getPort() == null ? null
          : get.getPort().getIntVal() != null ? String.valueOf(get.getPort().getIntVal())
          : ports.stream().filter(p -> get.getPort().getStrVal().equals(p.getName()))
              .map(p -> String.valueOf(p.getContainerPort())).findFirst().orElse("unknown port name " + get.getPort().getStrVal());
      if (!port.equals(probePort)) {
        out.add(at + ": probe " + get.getPath() + " goes to port " + probePort + ", not --metrics-port " + port);
      }
    }
    return out;
  }

  private static List<String> resources(ResourceRequirements r, String at) {
    Map<String, Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
    Map<String, Quantity> limits = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
    return requests.containsKey("cpu") && requests.containsKey("memory") && limits.containsKey("memory")
        ? List.of()
        : List.of(at + ": needs cpu and memory requests and a memory limit");
  }
}
