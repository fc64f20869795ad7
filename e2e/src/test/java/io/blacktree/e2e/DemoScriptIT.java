package io.blacktree.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.Names;
import io.blacktree.testsupport.RabbitFixture;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.ServicesBuildKit;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code scripts/demo} as a user does (a process, against the local services) and checks what it
 * promises: exit 0, the workflow ID and Web UI link, an image built by BuildKit (the reuse line of the job's
 * logs, which the demo prints) whose {@code docker run} output is the one the script printed. It runs beside the
 * user's own demo without touching it: its own {@code BLACKTREE_HOME} (so its own {@code dev}, PID file, git
 * daemon, counter), git port, namespace, queue prefix and ECR repository, and the services' buildkitd named by
 * {@code BLACKTREE_BUILDKIT_ADDR} (none runs in its own home); afterwards it stops the {@code dev} and git daemon
 * it started and removes its queues and the image from the engine.
 */
class DemoScriptIT {
  private static final long BOUND_MINUTES = 5;
  private static final Pattern IMAGE = Pattern.compile("(?m)^image\\s+: (\\S+)$");
  private static final Pattern WORKFLOW = Pattern.compile("(?m)^workflow ID : (deploy:123456789012:\\S+)$");
  private static final Pattern WEB_UI = Pattern.compile("(?m)^Web UI\\s+: (http://\\S+/workflows/deploy%3A\\S+)$");
  private static final Pattern DIGEST = Pattern.compile("(?m)^digest\\s+: (sha256:[0-9a-f]{64})$");
  private static final Pattern JOB_LOG = Pattern.compile("(?m)^job log\\s+: (.+)$");

  @TempDir Path home;
  private RabbitFixture rabbit;
  private String image;

  @BeforeAll
  static void services() {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN, Service.RABBITMQ, Service.TEMPORAL);
    ServicesBuildKit.require();
  }

  @BeforeEach
  void queues() throws Exception {
    rabbit = RabbitFixture.open(DemoScriptIT.class);
    rabbit.trackQueue(rabbit.name(Names.BUILD_QUEUE));
    rabbit.trackQueue(rabbit.name(Names.DEAD_LETTER_QUEUE));
    rabbit.trackExchange(rabbit.name(Names.RESULTS_EXCHANGE));
  }

  /** Stops what the demo left running in this test's home, and removes its queues and image. */
  @AfterEach
  void cleanUp() throws Exception {
    for (String pidFile : List.of("run/dev.pid", "run/demo-git.pid")) {
      stop(home.resolve(pidFile));
    }
    if (image != null) {
      // By ID, so every tag goes with it (the worker also tags its build locally as blacktree-local/...).
      Run id = run(new ProcessBuilder("docker", "image", "inspect", "-f", "{{.Id}}", image));
      if (id.exitCode() == 0) {
        Run removed = run(new ProcessBuilder("docker", "rmi", "-f", id.output().trim()).redirectErrorStream(true));
        assertThat(removed.exitCode()).as(removed.output()).isZero();
      }
    }
    rabbit.close();
  }

  @Test
  void demo_ownHomeNamespaceAndQueues_pushesAnImageThatRunsAsPrinted() throws Exception {
    Path root = repositoryRoot();
    Path jar = root.resolve("cli/target/blacktree-cli-0.1.0-SNAPSHOT-all.jar");
    String ecrRepo = "bt-demo-it-" + UUID.randomUUID().toString().substring(0, 8);
    String namespace = ServiceEndpoints.fromEnvironment().temporalNamespace();
    ProcessBuilder builder = new ProcessBuilder("bash", "scripts/demo").directory(root.toFile())
        .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    // The reactor built the jar before this module: test that one rather than rebuilding in the middle of a build.
    env.put("BLACKTREE_DEMO_BUILD", Files.isRegularFile(jar) ? "never" : "auto");
    env.put("BLACKTREE_HOME", home.toString());
    env.put("BLACKTREE_DEMO_SKIP_SERVICES", "1");
    env.put("BLACKTREE_DEMO_GIT_PORT", Integer.toString(freePort()));
    env.put("BLACKTREE_DEMO_ECR_REPO", ecrRepo);
    env.put("BLACKTREE_NAMESPACE", namespace);
    env.put("BLACKTREE_QUEUE_PREFIX", rabbit.name(""));
    env.put("BLACKTREE_BUILDKIT_ADDR", ServicesBuildKit.address());
    env.put("BLACKTREE_BUILDCTL", ServicesBuildKit.buildctl().toString());

    Run demo = run(builder);
    image = IMAGE.matcher(demo.output()).results().map(m -> m.group(1)).findFirst().orElse(null);

    assertThat(demo.exitCode()).as(demo.output()).isZero();
    assertThat(demo.output()).as(demo.output()).contains("status:     SUCCESS").contains("attempt 1:")
        .doesNotContain("DEPRECATED").contains("Published to " + rabbit.name(Names.BUILD_QUEUE) + " ");
    assertThat(find(WORKFLOW, demo.output())).isEqualTo("deploy:123456789012:us-east-1:" + ecrRepo + ":v1.0.1");
    assertThat(find(WEB_UI, demo.output()))
        .startsWith("http://127.0.0.1:8233/namespaces/" + namespace + "/workflows/");
    assertThat(find(IMAGE, demo.output())).isEqualTo("127.0.0.1:5000/" + ecrRepo + ":v1.0.1");
    String digest = find(DIGEST, demo.output());
    assertThat(find(JOB_LOG, demo.output())).as("the job's reuse line: BuildKit built the image")
        .startsWith("reuse: ").endsWith(", built by buildkit");
    assertThat(demo.output()).contains("building with BuildKit: buildkitd answers at " + ServicesBuildKit.address());
    assertThat(demo.output()).as("the demo verifies the image's signed provenance")
        .contains("  > verified: 127.0.0.1:5000/" + ecrRepo + "@" + digest)
        .contains("--workflow deploy:123456789012:us-east-1:" + ecrRepo + ":v1.0.1");
    List<String> printed = demo.output().lines().filter(l -> l.startsWith("  | ")).map(l -> l.substring(4)).toList();
    assertThat(printed).anyMatch(l -> l.startsWith("Hello from Blacktree"));

    Run again = run(new ProcessBuilder("docker", "run", "--rm", "--network", "none", image).redirectErrorStream(true));

    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output().lines().toList()).isEqualTo(printed);
  }

  private static void stop(Path pidFile) throws Exception {
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
    if (process.isPresent()) {
      process.get().destroy();
      process.get().onExit().get(60, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String find(Pattern pattern, String output) {
    Matcher m = pattern.matcher(output);
    assertThat(m.find()).as("%s in:%n%s", pattern, output).isTrue();
    return m.group(1);
  }

  private record Run(int exitCode, String output) {}

  private static Run run(ProcessBuilder builder) throws IOException, InterruptedException {
    Path log = Files.createTempFile("demo-it", ".log");
    try {
      Process process = builder.redirectOutput(log.toFile()).start();
      process.getOutputStream().close();
      if (!process.waitFor(BOUND_MINUTES, TimeUnit.MINUTES)) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(String.join(" ", builder.command()) + " did not finish within " + BOUND_MINUTES
            + " min:\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("scripts/demo")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new AssertionError("scripts/demo not found above " + Path.of("").toAbsolutePath());
  }
}
