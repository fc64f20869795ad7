package io.blacktree.worker;

import io.blacktree.worker.DockerfileSources.Kind;
import io.blacktree.worker.DockerfileSources.Source;
import io.blacktree.worker.JobFailure.PolicyFailure;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a build may make the engine fetch, decided from the Dockerfile before any builder sees it. RUN steps have
 * no network ({@code --build-network none}), but the engine itself fetches {@code ADD <url>} sources and the
 * images of {@code FROM}, {@code COPY --from} and {@code RUN --mount=from=} from the build host's network, where
 * it can reach loopback services, the cloud's instance metadata and internal hosts. So, for every source
 * {@link DockerfileSources} finds:
 * <ul>
 *   <li>{@code ADD} of a URL (http, https, git) is refused unless its host is in {@code allowedAddHosts}
 *       ({@code --allowed-add-hosts}); other schemes always. The instance metadata addresses
 *       ({@value #IMDS_V4}, {@value #IMDS_V6}) are never allowed, by address or by a name resolving to one.</li>
 *   <li>An image from Docker Hub (no registry host) or from a registry whose host resolves only to public
 *       addresses is allowed; a registry that is, or resolves to, loopback, link-local, a private range, unique
 *       local IPv6, carrier-grade NAT or the unspecified address is refused unless it is the push registry or
 *       in {@code allowedBaseRegistries} ({@code --allowed-base-registries}). An entry {@code host} allows
 *       every port of that host, {@code host:port} that port only.</li>
 *   <li>A source that uses a variable the worker cannot resolve exactly (from {@code ARG} defaults,
 *       {@code ENV} and the request's build args) is refused: the builder could fetch anything.</li>
 * </ul>
 * A refusal is {@code POLICY_VIOLATION} (not retried) naming the Dockerfile line.
 *
 * <p>Every builder runs this first: {@link #check(Job, Workspace)} after the checkout, before the builder is
 * given the context, whichever builder it is.
 */
final class RemoteSourcePolicy {
  static final String IMDS_V4 = "169.254.169.254";
  static final String IMDS_V6 = "fd00:ec2::254";

  /** Name resolution, replaceable so unit tests need no DNS. */
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private static final Set<String> ADD_SCHEMES = Set.of("http", "https", "git", "ssh");
  private static final int MAX_SHOWN = 200;
  private final Set<String> allowedBaseRegistries;
  private final Set<String> allowedAddHosts;
  private final Resolver resolver;

  /**
   * @param allowedBaseRegistries registries ({@code host} or {@code host:port}) images may come from even when
   *                              internal
   * @param allowedAddHosts       hosts ({@code host} or {@code host:port}) {@code ADD} may download from
   * @param pushRegistry          the registry this worker pushes to (allowed for images); null when it is only
   *                              known per job (ECR)
   */
  RemoteSourcePolicy(Set<String> allowedBaseRegistries, Set<String> allowedAddHosts, String pushRegistry,
      Resolver resolver) {
    Set<String> registries = lower(allowedBaseRegistries);
    if (pushRegistry != null && !pushRegistry.isBlank()) {
      registries = new java.util.HashSet<>(registries);
      registries.add(pushRegistry.replaceFirst("^[a-zA-Z]+://", "").replaceFirst("/.*$", "").toLowerCase(Locale.ROOT));
    }
    this.allowedBaseRegistries = Set.copyOf(registries);
    this.allowedAddHosts = lower(allowedAddHosts);
    this.resolver = resolver;
  }

  /** The policy with the system's name resolution. */
  static RemoteSourcePolicy of(BuildLimits limits, String pushRegistry) {
    return new RemoteSourcePolicy(limits.allowedBaseRegistries(), limits.allowedAddHosts(), pushRegistry,
        InetAddress::getAllByName);
  }

  /**
   * Checks the job's Dockerfile (the request's {@code dockerfile}, inside the checkout) with the request's build
   * args. A missing or unreadable Dockerfile passes: the builder reports it.
   *
   * @throws PolicyFailure naming the line and the source that may not be fetched
   */
  void check(JobSpec spec, Workspace ws) throws PolicyFailure {
    String name = spec.dockerfilePath();
    Path dockerfile = CheckoutPaths.resolveInside(ws.checkout(), "dockerfile", name);
    String text;
    try {
      text = Files.readString(dockerfile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return;
    }
    Optional<String> refusal = refusal(text, spec.buildArgs());
    if (refusal.isPresent()) {
      throw new PolicyFailure(name + " " + refusal.get());
    }
  }

  /** Why {@code dockerfile} may not be built with {@code buildArgs}, naming the line; empty when it may. */
  Optional<String> refusal(String dockerfile, Map<String, String> buildArgs) {
    for (Source s : DockerfileSources.of(dockerfile, buildArgs)) {
      Optional<String> why = s.kind() == Kind.ADD_URL ? addRefusal(s) : imageRefusal(s);
      if (why.isPresent()) {
        return Optional.of("line " + s.line() + ": " + shown(s.instruction()) + ": " + why.get());
      }
    }
    return Optional.empty();
  }

  private Optional<String> addRefusal(Source s) {
    if (!s.exact()) {
      return Optional.of("the ADD source uses a variable the worker cannot resolve exactly (only ARG defaults, ENV "
          + "and build args of this Dockerfile count), so it could be a URL");
    }
    String url = s.value();
    String scheme;
    String host;
    int port;
    if (url.startsWith("git@")) {
      scheme = "ssh";
      host = url.substring(4, url.contains(":") ? url.indexOf(':') : url.length());
      port = -1;
    } else if (url.startsWith("github.com/")) {
      scheme = "https";
      host = "github.com";
      port = -1;
    } else {
      try {
        URI uri = new URI(url);
        scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        host = uri.getHost();
        port = uri.getPort();
      } catch (java.net.URISyntaxException e) {
        return Optional.of("the ADD source is not a URL the worker can check");
      }
    }
    if (!ADD_SCHEMES.contains(scheme)) {
      return Optional.of("ADD from a " + scheme + " URL is never allowed");
    }
    if (host == null || host.isEmpty()) {
      return Optional.of("the ADD source has no host the worker can check");
    }
    host = bare(host);
    if (metadata(host)) {
      return Optional.of("the instance metadata service (" + host + ") is never reachable from a build");
    }
    if (!listed(allowedAddHosts, host, port)) {
      return Optional.of("ADD of a remote URL is refused (host " + host + " is not in --allowed-add-hosts); "
          + "put the file in the repository, or ask the operator to list the host");
    }
    return resolvesToMetadata(host)
        ? Optional.of("host " + host + " resolves to the instance metadata service, never reachable from a build")
        : Optional.empty();
  }

  private Optional<String> imageRefusal(Source s) {
    if (!s.exact()) {
      return Optional.of("the image reference uses a variable the worker cannot resolve exactly (only ARG "
          + "defaults and build args count), so it could name any registry");
    }
    String ref = s.value().toLowerCase(Locale.ROOT);
    int slash = ref.indexOf('/');
    String first = slash < 0 ? "" : ref.substring(0, slash);
    if (slash < 0 || !(first.contains(".") || first.contains(":") || first.equals("localhost")
        || first.startsWith("["))) {
      return Optional.empty(); // Docker Hub
    }
    String host = first;
    int port = -1;
    int colon = first.lastIndexOf(':');
    if (colon > 0 && first.indexOf(']') < colon && first.substring(colon + 1).matches("[0-9]{1,5}")) {
      host = first.substring(0, colon);
      port = Integer.parseInt(first.substring(colon + 1));
    }
    host = bare(host);
    if (metadata(host) || resolvesToMetadata(host)) {
      return Optional.of("registry " + first + " is the instance metadata service, never reachable from a build");
    }
    if (listed(allowedBaseRegistries, host, port)) {
      return Optional.empty();
    }
    List<InetAddress> addresses;
    try {
      addresses = List.of(resolver.resolve(host));
    } catch (UnknownHostException e) {
      return Optional.of("registry host " + host + " does not resolve, so the worker cannot check where it is");
    }
    List<String> internal = addresses.stream().filter(RemoteSourcePolicy::internal)
        .map(InetAddress::getHostAddress).collect(Collectors.toList());
    if (!internal.isEmpty()) {
      return Optional.of("registry " + first + " is on the build host's own or internal network (" + String.join(", ",
          internal) + "); images may come from it only if it is the push registry or in --allowed-base-registries");
    }
    return Optional.empty();
  }

  /** Loopback, link-local, private, unique-local, carrier-grade NAT, unspecified or multicast. */
  static boolean internal(InetAddress a) {
    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0 || (first == 100 && second >= 64 && second < 128) || (first == 192 && second == 0
          && (b[2] & 0xff) == 0) || first >= 240;
    }
    return a instanceof Inet6Address && (b[0] & 0xfe) == 0xfc;
  }

  private boolean resolvesToMetadata(String host) {
    try {
      for (InetAddress a : resolver.resolve(host)) {
        if (metadata(a.getHostAddress())) {
          return true;
        }
      }
    } catch (UnknownHostException e) {
      return false;
    }
    return false;
  }

  private static boolean metadata(String host) {
    if (host.equals(IMDS_V4)) {
      return true;
    }
    if (host.contains(":")) {
      try {
        return InetAddress.getByName(host).equals(InetAddress.getByName(IMDS_V6));
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return false;
  }

  private static boolean listed(Set<String> entries, String host, int port) {
    return entries.contains(host) || port >= 0 && (entries.contains(host + ":" + port)
        || entries.contains("[" + host + "]:" + port));
  }

  private static String bare(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  private static Set<String> lower(Set<String> in) {
    return in.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  private static String shown(String instruction) {
    return instruction.length() <= MAX_SHOWN ? instruction : instruction.substring(0, MAX_SHOWN) + "...";
  }
}
