package io.blacktree.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.Names;
import io.blacktree.testsupport.RabbitFixture;
import io.blacktree.testsupport.ServiceEndpoints;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs README.md's "Locally, one component at a time" block as written (bash, from the repository root): setup,
 * a worker, an orchestrator and a bridge as three processes, and a job through them. The variables the block
 * reads give it this test's namespace, queue prefix, git server (serving its own {@code demo/hello}) and a free
 * worker port; the image it pushed is removed from the engine afterwards.
 */
class ReadmeLocalComponentsIT {
  private static final long BOUND_MINUTES = 6;
  private static final Pattern BLOCK =
      Pattern.compile("<!-- local-components: run by e2e ReadmeLocalComponentsIT -->\\n```\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern IMAGE = Pattern.compile("(?m)^image: +(\\S+)$");

  @TempDir Path dir;
  private RabbitFixture rabbit;
  private GitDaemonServer git;
  private String image;

  @BeforeAll
  static void services() {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN, Service.RABBITMQ, Service.TEMPORAL);
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (image != null) {
      Process id = new ProcessBuilder("docker", "image", "inspect", "-f", "{{.Id}}", image).start();
      String imageId = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (id.waitFor() == 0) {
        new ProcessBuilder("docker", "rmi", "-f", imageId).start().waitFor(60, TimeUnit.SECONDS);
      }
    }
    if (git != null) {
      git.close();
    }
    if (rabbit != null) {
      rabbit.close();
    }
  }

  @Test
  void localComponentsBlock_runAsWritten_buildsAndPushesTheJob() throws Exception {
    Path root = DemoScriptIT.repositoryRoot();
    Matcher block = BLOCK.matcher(Files.readString(root.resolve("README.md")));
    assertThat(block.find()).as("the local-components block in README.md").isTrue();
    rabbit = RabbitFixture.open(ReadmeLocalComponentsIT.class);
    for (String queue : new String[] {Names.BUILD_QUEUE, Names.DEAD_LETTER_QUEUE}) {
      rabbit.trackQueue(rabbit.name(queue));
    }
    rabbit.trackExchange(rabbit.name(Names.RESULTS_EXCHANGE));
    GitRepos repos = new GitRepos(dir.resolve("git"));
    repos.create("demo/hello", "main", Map.of(
        "Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello.sh /app/hello.sh\n"
            + "CMD [\"/bin/busybox\", \"sh\", \"/app/hello.sh\"]\n",
        "busybox", Path.of("/bin/busybox"),
        "hello.sh", "echo 'Hello from the local components'\n"));
    git = GitDaemonServer.start(repos.baseDir());
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    ProcessBuilder bash = new ProcessBuilder("bash", "-c", block.group(1)).directory(root.toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
    bash.environment().putAll(Map.of(
        "BLACKTREE_NAMESPACE", ServiceEndpoints.fromEnvironment().temporalNamespace(),
        "BLACKTREE_QUEUE_PREFIX", rabbit.name(""),
        "BLACKTREE_GIT_BASE_URL", git.baseUrl(),
        "WORKER_PORT", Integer.toString(freePort()),
        "TMPDIR", tmp.toString()));

    Process process = bash.start();
    boolean ended = process.waitFor(BOUND_MINUTES, TimeUnit.MINUTES);
    if (!ended) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    String out = Files.readString(dir.resolve("out.log"));
    Matcher pushed = IMAGE.matcher(out);
    image = pushed.find() ? pushed.group(1) : null;

    assertThat(ended).as("the block ended within %d min:%n%s", BOUND_MINUTES, out).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    assertThat(out).contains("Published to " + rabbit.name(Names.BUILD_QUEUE) + " ")
        .contains("status:     SUCCESS").contains("attempt 1: done on ");
    assertThat(image).as(out).startsWith("127.0.0.1:5000/local-images:local-");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
