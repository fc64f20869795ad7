package io.blacktree.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a job's checkout and its build's RUN steps get. The checkout is bounded by {@code checkoutBytes} (a
 * repository whose tree at the commit is larger fails as {@code POLICY_VIOLATION} before anything is built). RUN
 * steps get the network, memory and CPU limits on both builders: the classic builder runs each in a container of
 * the engine with them and never mounts anything from the host (no bind mounts exist in the classic build API);
 * BuildKit gets them as Dockerfile frontend options ({@link FrontendOptions}) and binds only from the context.
 * Flag names in brackets.
 *
 * @param networkMode network of RUN steps [--build-network], default {@code none} (no network at all; a
 *                    build needing packages must get them from the context or a base image)
 * @param memoryBytes memory limit per RUN container [--build-memory-bytes], default 2 GiB; swap is not added
 *                    on top; 0 = engine default (unlimited)
 * @param cpuShares   relative CPU weight [--build-cpu-shares], default 512 (half of a default container);
 *                    0 = engine default
 * @param cpusetCpus  CPUs RUN steps may use, e.g. {@code 0-1} [--build-cpuset-cpus]; null = any
 * @param checkoutBytes most bytes a checkout may write (sum of its files) [--max-checkout-bytes], default 1 GiB;
 *                    0 = no limit
 * @param allowedBaseRegistries registries on the build host's own or internal network that images may still come
 *                    from, besides the push registry [--allowed-base-registries], default none (see
 *                    {@link RemoteSourcePolicy})
 * @param allowedAddHosts hosts {@code ADD <url>} may download from [--allowed-add-hosts], default none: every
 *                    remote {@code ADD} is refused
 */
public record BuildLimits(String networkMode, long memoryBytes, int cpuShares, String cpusetCpus,
    long checkoutBytes, Set<String> allowedBaseRegistries, Set<String> allowedAddHosts) {
  public BuildLimits {
    allowedBaseRegistries = allowedBaseRegistries == null ? Set.of() : Set.copyOf(allowedBaseRegistries);
    allowedAddHosts = allowedAddHosts == null ? Set.of() : Set.copyOf(allowedAddHosts);
  }

  /** Every problem at once. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (networkMode == null || !networkMode.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
      out.add("buildNetwork: must be a network name (none, default, host, or a named network)");
    }
    if (memoryBytes != 0 && memoryBytes < 6L * 1024 * 1024) {
      out.add("buildMemoryBytes: must be 0 (unlimited) or at least 6 MiB (the engine's minimum)");
    }
    if (cpuShares < 0 || (cpuShares > 0 && cpuShares < 2)) {
      out.add("buildCpuShares: must be 0 (engine default) or at least 2");
    }
    if (cpusetCpus != null && !cpusetCpus.matches("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")) {
      out.add("buildCpusetCpus: must look like 0-1 or 0,2");
    }
    if (checkoutBytes < 0) {
      out.add("maxCheckoutBytes: must not be negative (0 = no limit)");
    }
    return out;
  }
}
