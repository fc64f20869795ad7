package io.blacktree.worker;

import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.blacktree.proto.worker.v1.ErrorKind;
import io.blacktree.proto.worker.v1.JobRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hostile Dockerfile cannot make the engine fetch from the build host's network: {@code ADD <url>} (directly,
 * through an {@code ARG} default, through a build arg), {@code FROM} and {@code COPY --from} an image on an
 * internal registry are refused as {@code POLICY_VIOLATION} naming the line, before the builder runs, and the
 * HTTP servers the test runs on those addresses (standing in for the metadata service, an internal API, a
 * registry) see no request at all. An {@code ADD} from a host in {@code --allowed-add-hosts} still works, end to
 * end on the real engine: the file is in the pushed image.
 */
class WorkerRemoteSourcesIT extends WorkerItBase {
  private static final String PAYLOAD = "allowed-add-" + UUID.randomUUID();
  static final AtomicInteger hostileRequests = new AtomicInteger();
  static final AtomicInteger allowedRequests = new AtomicInteger();
  static final List<HttpServer> servers = new ArrayList<>();
  static int internalPort;
  static int registryPort;
  static int otherRegistryPort;
  static int allowedPort;

  @Override
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    return defaults.allowedAddHosts(Set.of("localhost"));
  }

  @BeforeAll
  static void startServers() throws Exception {
    internalPort = serve("127.0.0.1", hostileRequests, "secret-of-the-build-host").getAddress().getPort();
    registryPort = serve("127.0.0.2", hostileRequests, "{}").getAddress().getPort();
    otherRegistryPort = serve("127.0.0.3", hostileRequests, "{}").getAddress().getPort();
    allowedPort = serve("127.0.0.1", allowedRequests, PAYLOAD).getAddress().getPort();
  }

  private static HttpServer serve(String address, AtomicInteger counter, String body) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 8);
    server.createContext("/", ex -> {
      counter.incrementAndGet();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.start();
    servers.add(server);
    return server;
  }

  @AfterAll
  static void stopServers() {
    servers.forEach(s -> s.stop(0));
  }

  @BeforeEach
  void noRequestYet() {
    hostileRequests.set(0);
  }

  private static JobResponse run(Map<String, Object> files, Map<String, String> buildArgs) throws Exception {
    String repo = unique("remote-src");
    repos.create(repo, "main", files);
    JobRequest.Builder req = request(repo, "main", "v1").putAllBuildArgs(buildArgs);
    JobResponse r = worker.stub(300).runJob(req.build());
    worker.awaitFree();
    worker.assertNoWorkspace();
    return r;
  }

  private static void assertRefusedBeforeAnyFetch(JobResponse r, String line) {
    assertThat(r.getStatus()).as(r.getLogs()).isEqualTo(JobResponse.Status.FAILED);
    assertThat(r.getErrorKind()).as(r.getErrorMessage()).isEqualTo(ErrorKind.POLICY_VIOLATION);
    assertThat(r.getRetryable()).isFalse();
    assertThat(r.getErrorMessage()).contains(line);
    assertThat(hostileRequests.get()).as("requests the build host's servers saw").isZero();
  }

  @Test
  void runJob_addUrlOnTheBuildHost_refusedNothingFetched() throws Exception {
    String add = "ADD http://127.0.0.1:" + internalPort + "/latest/meta-data/iam /creds.txt";

    JobResponse r = run(app("x", add + "\n"), Map.of());

    assertRefusedBeforeAnyFetch(r, "line 4: " + add);
  }

  @Test
  void runJob_addUrlThroughArgDefault_refusedNothingFetched() throws Exception {
    String extra = "ARG SRC=http://127.0.0.1:" + internalPort + "/v2/_catalog\nADD ${SRC} /catalog.json\n";

    JobResponse r = run(app("x", extra), Map.of());

    assertRefusedBeforeAnyFetch(r, "line 5: ADD ${SRC} /catalog.json");
  }

  @Test
  void runJob_addUrlThroughBuildArg_refusedNothingFetched() throws Exception {
    JobResponse r = run(app("x", "ARG SRC=./hello.txt\nADD $SRC /copied.txt\n"),
        Map.of("SRC", "http://127.0.0.1:" + internalPort + "/api/queues"));

    assertRefusedBeforeAnyFetch(r, "line 5: ADD $SRC /copied.txt");
  }

  @Test
  void runJob_fromInternalRegistryNotAllowed_refusedNothingFetched() throws Exception {
    Map<String, Object> files = new LinkedHashMap<>();
    String from = "FROM 127.0.0.2:" + registryPort + "/x:1";
    files.put("Dockerfile", from + "\nCMD [\"/bin/true\"]\n");

    JobResponse r = run(files, Map.of());

    assertRefusedBeforeAnyFetch(r, "line 1: " + from);
  }

  @Test
  void runJob_copyFromImageOnInternalRegistry_refusedNothingFetched() throws Exception {
    String copy = "COPY --from=127.0.0.3:" + otherRegistryPort + "/tools:1 /bin/tool /bin/tool";

    JobResponse r = run(app("x", copy + "\n"), Map.of());

    assertRefusedBeforeAnyFetch(r, "line 4: " + copy);
  }

  @Test
  void runJob_addFromAllowedHost_buildsWithTheFile() throws Exception {
    allowedRequests.set(0);
    String extra = "ADD http://localhost:" + allowedPort + "/payload.txt /hello.txt\n";

    JobResponse r = run(app("replaced", extra), Map.of());

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(allowedRequests.get()).as("the engine fetched the allowed URL").isPositive();
    assertThat(WorkerFixture.pullAndRunRemote(r.getImageUrl() + "@" + r.getDigest())).contains(PAYLOAD);
    assertThat(hostileRequests.get()).isZero();
  }
}
