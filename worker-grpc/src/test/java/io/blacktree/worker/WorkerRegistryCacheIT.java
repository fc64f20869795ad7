package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.pullAndRunRemote;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.testsupport.PrivateBuildKit;
import io.blacktree.testsupport.RegistryClient;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's registry cache over the real path: two build hosts, each a worker on its own buildkitd (private
 * state directories, so host B's local cache is empty), sharing one registry. Host A builds a version; host B
 * builds the next version of the same repository and takes the slow {@code RUN} from the registry cache: the
 * reuse summary counts it, the step's output is absent from B's log, and B's image, pulled and run, carries
 * the file A's run of that step wrote.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerRegistryCacheIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RegistryLogin OPEN = new NoLogin(WorkerFixture.OPEN_REGISTRY);

  @TempDir static Path dir;
  private GitRepos repos;
  private GitDaemonServer daemon;
  private PrivateBuildKit hostA;
  private PrivateBuildKit hostB;

  @BeforeAll
  void start() throws Exception {
    repos = WorkerFixture.repos(dir);
    daemon = GitDaemonServer.start(repos.baseDir());
    hostA = PrivateBuildKit.start(dir.resolve("buildkit-a"));
    hostB = PrivateBuildKit.start(dir.resolve("buildkit-b"));
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {hostA, hostB, daemon}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void runJob_nextVersionOnAHostThatNeverBuiltIt_slowRunFromTheRegistryCache() throws Exception {
    String repo = unique("fleet-cache");
    repos.create(repo, "main", app(repo, "version one"));
    JobResponse a = runOn(hostA, "a", OPEN, true, repo, "v1");
    repos.commit(repo, "main", Map.of("hello.txt", "version two\n"), "second version");

    JobResponse b = runOn(hostB, "b", OPEN, true, repo, "v2");

    assertThat(a.getLogs()).contains("ran-42");
    assertThat(a.getReuse().getRemoteCachedBuildSteps()).isZero();
    assertThat(b.getReuse().getRemoteCachedBuildSteps()).as(b.getLogs()).isGreaterThanOrEqualTo(1);
    assertThat(b.getReuse().getCachedBuildSteps()).isGreaterThanOrEqualTo(b.getReuse().getRemoteCachedBuildSteps());
    assertThat(b.getLogs()).doesNotContain("ran-42")
        .contains("registry cache: importing 127.0.0.1:5000/" + repo + ":buildcache-main")
        .containsPattern("cached steps \\([1-9]\\d* from the registry cache\\)");
    String builtOnA = pullAndRunRemote(a.getImageUrl() + "@" + a.getDigest()).lines().toList().get(0);
    List<String> onB = pullAndRunRemote(b.getImageUrl() + "@" + b.getDigest()).lines().toList();
    assertThat(onB).containsExactly(builtOnA, "version two");
  }

  @Test
  void runJob_authRegistry_cacheSharedWithCredentialsInNoCacheBlobLogOrCommandLine() throws Exception {
    String repo = unique("fleet-cache-auth");
    repos.create(repo, "main", app(repo, "secret-free one"));
    StaticLogin login = new StaticLogin(WorkerFixture.AUTH_REGISTRY, WorkerFixture.REGISTRY_USER,
        WorkerFixture.REGISTRY_PASSWORD);
    ProcessWatch buildctl = ProcessWatch.start(repo);
    JobResponse a;
    try {
      a = runOn(hostA, "auth-a", login, true, repo, "v1");
    } finally {
      buildctl.finish();
    }
    repos.commit(repo, "main", Map.of("hello.txt", "secret-free two\n"), "second version");
    JobResponse b = runOn(hostB, "auth-b", login, true, repo, "v2");

    assertThat(b.getReuse().getRemoteCachedBuildSteps()).as(b.getLogs()).isGreaterThanOrEqualTo(1);
    RegistryClient registry = RegistryClient.withCredentials(WorkerFixture.AUTH_REGISTRY, WorkerFixture.REGISTRY_USER,
        WorkerFixture.REGISTRY_PASSWORD);
    List<String> blobs = cacheBlobs(registry, repo, "buildcache-main");
    String basic = Base64.getEncoder().encodeToString(
        (WorkerFixture.REGISTRY_USER + ":" + WorkerFixture.REGISTRY_PASSWORD).getBytes(StandardCharsets.UTF_8));
    assertThat(blobs).hasSizeGreaterThan(2);
    for (String text : blobs) {
      assertThat(text).doesNotContain(WorkerFixture.REGISTRY_PASSWORD).doesNotContain(basic);
    }
    for (JobResponse r : List.of(a, b)) {
      assertThat(r.getLogs()).doesNotContain(WorkerFixture.REGISTRY_PASSWORD).doesNotContain(basic);
    }
    assertThat(buildctl.seen()).as("buildctl's command line and environment, as ps shows them").isNotEmpty()
        .anyMatch(p -> p.contains("--export-cache")).allSatisfy(p -> assertThat(p)
            .doesNotContain(WorkerFixture.REGISTRY_PASSWORD).doesNotContain(basic));
  }

  /** Polls /proc for buildctl processes building {@code repo}: their command lines and environments, as seen. */
  private static final class ProcessWatch extends Thread {
    private final String repo;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    private ProcessWatch(String repo) {
      this.repo = repo;
      setDaemon(true);
    }

    static ProcessWatch start(String repo) {
      ProcessWatch w = new ProcessWatch(repo);
      w.start();
      return w;
    }

    @Override
    public void run() {
      while (running) {
        ProcessHandle.allProcesses().forEach(p -> {
          Path proc = Path.of("/proc", Long.toString(p.pid()));
          try {
            String cmdline = Files.readString(proc.resolve("cmdline"), StandardCharsets.ISO_8859_1)
                .replace('\0', ' ');
            if (cmdline.contains("buildctl") && cmdline.contains(repo)) {
              seen.add(cmdline + " ENV " + Files.readString(proc.resolve("environ"),
                  StandardCharsets.ISO_8859_1).replace('\0', ' '));
            }
          } catch (IOException | RuntimeException gone) {
            // the process ended between listing and reading
          }
        });
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void finish() throws InterruptedException {
      running = false;
      join(5_000);
    }

    Set<String> seen() {
      return seen;
    }
  }

  @Test
  void runJob_registryCacheOff_noCacheTagAndNothingFromTheRegistry() throws Exception {
    String repo = unique("fleet-cache-off");
    repos.create(repo, "main", app(repo, "uncached"));

    JobResponse r = runOn(hostA, "off", OPEN, false, repo, "v1");

    assertThat(r.getLogs()).contains("registry cache: off").doesNotContain("exporting cache to registry");
    assertThat(r.getReuse().getRemoteCachedBuildSteps()).isZero();
    assertThat(RegistryClient.anonymous(WorkerFixture.OPEN_REGISTRY).tags(repo)).contains("v1")
        .noneMatch(t -> t.startsWith(RegistryCache.TAG_PREFIX));
  }

  /** A worker on {@code host}'s buildkitd runs one job to success and is closed; its answer. */
  private JobResponse runOn(PrivateBuildKit host, String name, RegistryLogin login, boolean cache, String repo,
      String version) throws Exception {
    try (WorkerFixture w = WorkerFixture.start(dir.resolve("w-" + name), daemon.baseUrl(), login,
        WorkerFixture.gitToken(null), c -> c.builderMode(BuilderSettings.Mode.BUILDKIT).buildkitAddr(host.address())
            .buildctl(PrivateBuildKit.buildctl()).registryCache(cache))) {
      JobResponse r = w.stub(300).runJob(request(repo, "main", version).build());
      assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
      w.assertNoWorkspace();
      return r;
    }
  }

  private static RegistryLogin RegistryLogin(String unused) {
    return new NoLogin(WorkerFixture.OPEN_REGISTRY);
  }

  /** The cache image's manifest, config and every layer (gunzipped), as text to search. */
  private static List<String> cacheBlobs(RegistryClient registry, String repo, String tag) throws IOException {
    String manifest = registry.manifest(repo, tag).orElseThrow(() -> new AssertionError("no cache at " + tag));
    JsonNode m = JSON.readTree(manifest);
    List<String> out = new ArrayList<>(List.of(manifest,
        new String(registry.blob(repo, m.path("config").path("digest").asText()), StandardCharsets.ISO_8859_1)));
    for (JsonNode layer : m.path("layers")) {
      byte[] bytes = registry.blob(repo, layer.path("digest").asText());
      out.add(new String(layer.path("mediaType").asText().endsWith("gzip") ? gunzip(bytes) : bytes,
          StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  private static byte[] gunzip(byte[] bytes) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  /**
   * busybox, hello.txt holding {@code text}, and a slow RUN step: it prints {@code ran-42} (its Dockerfile line
   * says {@code $((40+2))}) and the repository's name (so no other test's build shares its cache key), and writes a
   * fresh UUID. The image prints that UUID, then the text.
   */
  private static Map<String, Object> app(String repo, String text) {
    Map<String, Object> files = WorkerFixture.app(text);
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\n"
        + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo ran-$((40+2)) for " + repo + "; /bin/busybox sleep 2; "
        + "/bin/busybox cat /proc/sys/kernel/random/uuid > /built.txt\"]\n" + "COPY hello.txt /hello.txt\n"
        + "CMD [\"/bin/busybox\", \"cat\", \"/built.txt\", \"/hello.txt\"]\n");
    return files;
  }
}
