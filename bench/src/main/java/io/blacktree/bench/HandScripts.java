package io.blacktree.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What a skilled engineer would script by hand, each command a timed child process: a shallow clone of the
 * branch, then either the docker CLI ({@code docker build} with {@code .git} in {@code .dockerignore}, then
 * {@code docker push}) or BuildKit's own client ({@code buildctl build} through the same buildkitd as the worker,
 * pushing in the same solve, with the same RUN network mode and registry cache flags as the worker's), then the
 * checkout removed. Each run returns its steps in milliseconds: clone, build, push (0 for buildctl: it pushes
 * while it builds), total.
 */
final class HandScripts {
  private final Path tmp;
  private final String registry;
  private final BuildOptions opts;

  HandScripts(Path tmp, String registry, BuildOptions opts) {
    this.tmp = tmp;
    this.registry = registry;
    this.opts = opts;
  }

  /** The docker CLI script's commands, for the report. */
  String dockerDescription() {
    return "git clone -q --depth 1 --branch main git://127.0.0.1:<port>/<repo> DIR; docker build -q -t " + registry
        + "/<repo>:<v> DIR (DIR/.dockerignore holds .git); docker push -q " + registry + "/<repo>:<v>; rm -rf DIR";
  }

  /** The buildctl script's commands, for the report. */
  String buildctlDescription() {
    return "git clone -q --depth 1 --branch main git://127.0.0.1:<port>/<repo> DIR; "
        + String.join(" ", buildctlCommand("DIR", registry + "/<repo>:<v>", opts.buildkitAddr())) + "; rm -rf DIR";
  }

  Map<String, Double> docker(String gitUrl, String repo, String version) throws Exception {
    Path dir = tmp.resolve("script-" + UUID.randomUUID());
    String image = registry + "/" + repo + ":" + version;
    Map<String, Double> out = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    out.put("clone", time("git", "clone", "-q", "--depth", "1", "--branch", "main", gitUrl, dir.toString()));
    out.put("build", time("docker", "build", "-q", "-t", image, dir.toString()));
    out.put("push", time("docker", "push", "-q", image));
    time("rm", "-rf", dir.toString());
    out.put("total", (System.nanoTime() - t0) / 1e6);
    return out;
  }

  Map<String, Double> buildctl(String gitUrl, String repo, String version) throws Exception {
    return buildctl(gitUrl, repo, version, opts.buildkitAddr());
  }

  /** The buildctl script against the buildkitd at {@code addr} (another build host's). */
  Map<String, Double> buildctl(String gitUrl, String repo, String version, String addr) throws Exception {
    Path dir = tmp.resolve("buildctl-" + UUID.randomUUID());
    String image = registry + "/" + repo + ":" + version;
    Map<String, Double> out = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    out.put("clone", time("git", "clone", "-q", "--depth", "1", "--branch", "main", gitUrl, dir.toString()));
    out.put("build", time(buildctlCommand(dir.toString(), image, addr).toArray(String[]::new)));
    out.put("push", 0.0);
    time("rm", "-rf", dir.toString());
    out.put("total", (System.nanoTime() - t0) / 1e6);
    return out;
  }

  /**
   * The same frontend, RUN network mode, push and registry cache flags as the worker's BuildKit path (the cache
   * under the image repository's {@code buildcache-main} tag, exported in the form ECR accepts); no labels, no
   * provenance, no tag checks.
   */
  private List<String> buildctlCommand(String dir, String image, String addr) {
    List<String> cmd = new ArrayList<>(List.of(opts.buildctl().toString(), "--addr", addr, "build",
        "--frontend", "dockerfile.v0", "--local", "context=" + dir, "--local", "dockerfile=" + dir,
        "--opt", "force-network-mode=none", "--progress", "plain",
        "--output", "type=image,name=" + image + ",push=true,registry.insecure=true"));
    if (opts.registryCache()) {
      String cache = image.substring(0, image.lastIndexOf(':')) + ":buildcache-main";
      cmd.addAll(List.of("--export-cache", "type=registry,ref=" + cache
          + ",mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true,registry.insecure=true",
          "--import-cache", "type=registry,ref=" + cache + ",registry.insecure=true"));
    }
    return cmd;
  }

  static double time(String... cmd) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
    return (System.nanoTime() - t0) / 1e6;
  }
}
