package io.blacktree.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.core.ErrorKind;
import io.blacktree.worker.JobFailure.DockerFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * One BuildKit solve through the pinned {@code buildctl} client: the built-in Dockerfile frontend builds the
 * context and Dockerfile of {@link BuildInputs} with the options of {@link FrontendOptions} (RUN steps' network
 * and limits, target, build args, image labels), the worker's {@link BuildSecrets} offered to
 * {@code RUN --mount=type=secret} (by path), and buildkitd pushes the image to the registry by digest (the tags
 * are set afterwards by {@link RegistryTags}, so the immutable version tag is
 * checked before it moves). Every progress line ({@code --progress=plain}) becomes a job log line; the steps the
 * local and the registry cache served are counted from them ({@link StepReuse}). The build exports and imports
 * the fleet's {@link RegistryCache}. The pushed digests come from {@code --metadata-file}. A build from the worker's
 * kept source tree of the repository names buildkitd's copy of its context ({@link ContextSharing}), so that only
 * the files changed since the repository's last build are sent.
 *
 * <p>Registry credentials (for the push and the registry cache alike) reach buildctl only through a private
 * {@code DOCKER_CONFIG} directory in the job's workspace (mode 0700, removed once buildctl exited), never through
 * argv, environment values or logs; buildctl inherits none of the worker's environment but {@code PATH},
 * {@code HOME} and {@code TMPDIR}. Stopping the job (cancel, time limit, orphan) kills buildctl; buildkitd
 * cancels the solve when its client goes away.
 */
final class BuildctlBuild {
  /**
   * What buildkitd pushed: manifest and config digests, how many steps the caches served and how many of those
   * came from the registry cache ({@link StepReuse}).
   */
  record Solved(String digest, String configDigest, int cachedSteps, int remoteCachedSteps) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TAIL_LINES = 30;
  private static final long KILL_GRACE_MILLIS = 2_000;
  private final Path buildctl;
  private final String addr;
  private final FrontendOptions frontend;
  private final RegistryCache cache;
  private final BuildSecrets secrets;
  private final ContextSharing sharing;

  BuildctlBuild(Path buildctl, String addr, FrontendOptions frontend, RegistryCache cache, BuildSecrets secrets) {
    this.buildctl = buildctl;
    this.addr = addr;
    this.frontend = frontend;
    this.cache = cache;
    this.secrets = secrets;
    this.sharing = new ContextSharing(buildctl);
  }

  /**
   * Runs the solve; once more when the registry refused a layer that the image push and the registry cache export
   * uploaded at the same moment ({@link BuildKitErrors#uploadRace}): the second solve finds the layers in the
   * local cache and the registry, so nothing is uploaded twice at once. The reuse reported is the first solve's:
   * the race comes after every step was solved, and the second solve shows as cached the steps the first one ran
   * or loaded from the registry cache.
   */
  Solved run(JobSpec spec, StepControl control, Workspace ws, BuildInputs in, RegistryAuth auth) throws JobFailure {
    Path metadata = ws.root().resolve("buildctl-metadata.json");
    Attempt first = solve(spec, control, ws, in, auth, metadata);
    Attempt last = first;
    if (first.exitCode() != 0 && cache.enabled() && BuildKitErrors.uploadRace(first.tail())) {
      control.log("the registry refused a layer the image push and the registry cache export uploaded at the same "
          + "time; solving once more");
      last = solve(spec, control, ws, in, auth, metadata);
    }
    if (last.exitCode() != 0) {
      throw BuildKitErrors.classify(last.tail(), last.exitCode());
    }
    return solved(metadata, first.reuse());
  }

  /** How one buildctl run ended: its exit code, last output lines and the cache reuse it printed. */
  private record Attempt(int exitCode, List<String> tail, StepReuse.Counts reuse) {}

  private Attempt solve(JobSpec spec, StepControl control, Workspace ws, BuildInputs in, RegistryAuth auth,
      Path metadata) throws JobFailure {
    String repository = auth.host() + "/" + spec.request().ecrRepo();
    Path dockerConfig = writeDockerConfig(ws.root().resolve("buildctl-auth"), auth);
    List<String> cmd = command(spec, in, repository, auth, metadata, sharing.args(ws, in.context(), control::log));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // only what buildctl needs: the worker's own environment may hold secrets (BLACKTREE_REGISTRY_PASSWORD, ...)
    pb.environment().keySet().retainAll(Set.of("PATH", "HOME", "TMPDIR"));
    pb.environment().put("DOCKER_CONFIG", dockerConfig.toString());
    control.log("building with BuildKit at " + addr + ", pushing " + repository + " by digest");
    logCache(spec, control, repository);
    logIgnoredFrontend(spec, control, in);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new DockerFailure(ErrorKind.INTERNAL, "cannot run buildctl " + buildctl + ": " + e.getMessage(), e);
    }
    Output output = new Output(control::log, process);
    output.start();
    control.setStopHook(() -> terminate(process));
    try {
      long waitMillis = Math.max(1, control.deadline().toEpochMilli() - System.currentTimeMillis()) + 5_000;
      if (!process.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
        terminate(process);
      }
      output.join(KILL_GRACE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminate(process);
      throw new DockerFailure(ErrorKind.INTERNAL, "interrupted while building", e);
    } finally {
      control.setStopHook(null);
      removeDockerConfig(dockerConfig, control);
    }
    control.checkStopped();
    return new Attempt(process.exitValue(), output.tail(), output.reuse.counts());
  }

  /**
   * The credentials are needed by buildctl alone: gone as soon as it exited, not only with the workspace (which is
   * removed after the job answered).
   */
  private static void removeDockerConfig(Path dockerConfig, StepControl control) {
    try {
      Workspace.deleteTree(dockerConfig);
    } catch (IOException e) {
      control.log("buildctl credentials directory not removed yet (it goes with the workspace): " + e.getMessage());
    }
  }

  private static void logIgnoredFrontend(JobSpec spec, StepControl control, BuildInputs in) {
    try {
      FrontendOptions.ignoredFrontend(Files.readString(in.dockerfile()), spec.buildArgs())
          .ifPresent(f -> control.log("frontend " + f + " not used: the worker builds with the built-in Dockerfile "
              + "frontend of its buildkitd"));
    } catch (IOException e) {
      // buildkitd reports an unreadable Dockerfile as the build's failure
    }
  }

  private void logCache(JobSpec spec, StepControl control, String repository) {
    String branch = spec.request().branch();
    if (cache.enabled()) {
      control.log("registry cache: importing " + String.join(", ", cache.importRefs(repository, branch))
          + "; exporting " + cache.exportRef(repository, branch));
    } else {
      control.log("registry cache: off (--registry-cache off)");
    }
  }

  private List<String> command(JobSpec spec, BuildInputs in, String repository, RegistryAuth auth, Path metadata,
      List<String> sharedKey) {
    List<String> cmd = new ArrayList<>(List.of(buildctl.toString(), "--addr", addr, "build"));
    cmd.addAll(sharedKey);
    cmd.addAll(List.of("--frontend", "dockerfile.v0",
        "--local", "context=" + in.context(),
        "--local", "dockerfile=" + in.dockerfile().getParent(),
        "--progress", "plain",
        "--metadata-file", metadata.toString()));
    cmd.addAll(frontend.args(spec.targetOrEmpty(), spec.buildArgs(), in));
    cmd.addAll(secrets.buildctlArgs());
    boolean insecure = "http".equals(auth.baseUri().getScheme());
    String output = "type=image,name=" + repository + ",push=true,push-by-digest=true"
        + (insecure ? ",registry.insecure=true" : "");
    cmd.addAll(List.of("--output", output));
    cmd.addAll(cache.buildctlArgs(repository, spec.request().branch(), insecure));
    return cmd;
  }

  /** A DOCKER_CONFIG directory holding only the job's registry credentials (none for an open registry). */
  private static Path writeDockerConfig(Path dir, RegistryAuth auth) throws JobFailure {
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      String auths = "{}";
      if (auth.hasCredentials()) {
        String basic = Base64.getEncoder().encodeToString(
            (auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8));
        auths = JSON.writeValueAsString(Map.of(auth.host(), Map.of("auth", basic)));
      }
      Path file = dir.resolve("config.json");
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, "{\"auths\":" + auths + "}");
      return dir;
    } catch (IOException e) {
      ErrorKind kind = String.valueOf(e.getMessage()).contains("No space left") ? ErrorKind.DISK_FULL : ErrorKind.INTERNAL;
      throw new JobFailure(kind, "could not write buildctl's registry configuration", null);
    }
  }

  private static Solved solved(Path metadata, StepReuse.Counts reuse) throws JobFailure {
    try {
      JsonNode m = JSON.readTree(metadata.toFile());
      String digest = m.path("containerimage.digest").asText(null);
      String config = m.path("containerimage.config.digest").asText(null);
      if (digest == null || config == null) {
        throw new DockerFailure(ErrorKind.INTERNAL, "buildctl reported no pushed digest in its metadata", null);
      }
      return new Solved(digest, config, reuse.cached(), reuse.remote());
    } catch (IOException e) {
      throw new DockerFailure(ErrorKind.INTERNAL, "cannot read buildctl's metadata file: " + e.getMessage(), e);
    }
  }

  /** SIGTERM, then SIGKILL after a short grace; buildkitd cancels the solve of a client that went away. */
  private static void terminate(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(KILL_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Streams buildctl's output into the job's log, keeping the last lines for the failure's reason. */
  private static final class Output extends Thread {
    private final Consumer<String> log;
    private final Process process;
    private final Deque<String> tail = new ArrayDeque<>();
    private final StepReuse reuse = new StepReuse();

    Output(Consumer<String> log, Process process) {
      super("blacktree-buildctl-output");
      setDaemon(true);
      this.log = log;
      this.process = process;
    }

    @Override
    public void run() {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          log.accept(line);
          reuse.accept(line);
          synchronized (tail) {
            tail.addLast(line);
            if (tail.size() > TAIL_LINES) {
              tail.removeFirst();
            }
          }
        }
      } catch (IOException e) {
        log.accept("buildctl output ended: " + e.getMessage());
      }
    }

    List<String> tail() {
      synchronized (tail) {
        return List.copyOf(tail);
      }
    }
  }
}
