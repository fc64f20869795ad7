package io.blacktree.worker;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The build cache a fleet shares through the registry: every BuildKit build exports its cache next to its image,
 * in the image repository under a tag of the branch ({@code buildcache-<branch>}), and imports that tag and the
 * fallback branch's (default {@code main}), so a host that never built the repository reuses the layers and
 * {@code RUN} results built on any other host. One tag per branch: builds of different branches running at once
 * do not overwrite each other's cache, and a branch's first build starts from the fallback branch's.
 *
 * <p>The export is the form ECR accepts ({@code mode=max,image-manifest=true,oci-mediatypes=true}: an OCI image
 * manifest whose layers are the cached results of every stage) and ignores errors: a cache that cannot be
 * written (an immutable ECR repository, a full registry) costs the next build time, never this job. A missing
 * cache to import is normal (the first build) and only logged by buildctl. The registry credentials are the
 * push's, given to buildctl the same way (its private {@code DOCKER_CONFIG}); the refs hold none.
 */
final class RegistryCache {
  static final String TAG_PREFIX = "buildcache-";
  private static final int MAX_TAG = 128;
  private static final int HASH_CHARS = 8;
  private final boolean enabled;
  private final String fallbackBranch;

  /**
   * @param enabled        export and import the cache ({@code --registry-cache on|off})
   * @param fallbackBranch whose cache every other branch also imports ({@code --registry-cache-fallback});
   *                       empty for none
   */
  RegistryCache(boolean enabled, String fallbackBranch) {
    this.enabled = enabled;
    this.fallbackBranch = fallbackBranch == null ? "" : fallbackBranch.strip();
  }

  boolean enabled() {
    return enabled;
  }

  /**
   * The cache tag of {@code branch}: {@code buildcache-} and the branch with every character a tag may not hold
   * replaced by {@code -}; where that changed or shortened the name, 8 hex of its SHA-256 follow, so that
   * {@code feature/x} and {@code feature-x} keep separate caches.
   */
  static String tag(String branch) {
    String safe = branch.replaceAll("[^A-Za-z0-9_.-]", "-");
    if (safe.equals(branch) && TAG_PREFIX.length() + safe.length() <= MAX_TAG) {
      return TAG_PREFIX + safe;
    }
    int room = MAX_TAG - TAG_PREFIX.length() - HASH_CHARS - 1;
    return TAG_PREFIX + safe.substring(0, Math.min(safe.length(), room)) + "-" + sha256(branch).substring(0, HASH_CHARS);
  }

  /** The refs this job's build imports, its own branch's first; empty when the cache is off. */
  List<String> importRefs(String repository, String branch) {
    if (!enabled) {
      return List.of();
    }
    List<String> refs = new ArrayList<>(List.of(repository + ":" + tag(branch)));
    if (!fallbackBranch.isEmpty() && !fallbackBranch.equals(branch)) {
      refs.add(repository + ":" + tag(fallbackBranch));
    }
    return refs;
  }

  /** The ref this job's build exports to; null when the cache is off. */
  String exportRef(String repository, String branch) {
    return enabled ? repository + ":" + tag(branch) : null;
  }

  /** buildctl's {@code --export-cache} and {@code --import-cache} options for {@code repository} at {@code branch}. */
  List<String> buildctlArgs(String repository, String branch, boolean insecureRegistry) {
    if (!enabled) {
      return List.of();
    }
    String insecure = insecureRegistry ? ",registry.insecure=true" : "";
    List<String> args = new ArrayList<>(List.of("--export-cache", "type=registry,ref=" + exportRef(repository, branch)
        + ",mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true" + insecure));
    for (String ref : importRefs(repository, branch)) {
      args.addAll(List.of("--import-cache", "type=registry,ref=" + ref + insecure));
    }
    return args;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
