package io.blacktree.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code scripts/demo} as a user does (a process, against the local services) and checks what it
 * promises: exit 0, the workflow ID and Web UI link, and an image whose {@code docker run} output is the
 * one the script printed. The demo reuses a running {@code blacktree dev} and leaves it running, as it
 * does for a user; each run deploys a new version, so the test depends on no earlier run.
 */
class DemoScriptIT {
  private static final long BOUND_MINUTES = 5;
  private static final Pattern IMAGE = Pattern.compile("(?m)^image\\s+: (\\S+)$");
  private static final Pattern WORKFLOW = Pattern.compile("(?m)^workflow ID : (deploy:123456789012:\\S+)$");
  private static final Pattern WEB_UI = Pattern.compile("(?m)^Web UI\\s+: (http://\\S+/workflows/deploy%3A\\S+)$");

  @BeforeAll
  static void services() {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN, Service.RABBITMQ, Service.TEMPORAL);
  }

  @Test
  void demo_onRunningServices_pushesAnImageThatRunsAsPrinted() throws Exception {
    Path root = repositoryRoot();
    Path jar = root.resolve("cli/target/blacktree-cli-0.1.0-SNAPSHOT-all.jar");
    ProcessBuilder builder = new ProcessBuilder("bash", "scripts/demo").directory(root.toFile())
        .redirectErrorStream(true);
    // The reactor built the jar before this module: test that one rather than rebuilding in the middle of a build.
    builder.environment().put("BLACKTREE_DEMO_BUILD", Files.isRegularFile(jar) ? "never" : "auto");

    Run demo = run(builder);

    assertThat(demo.exitCode()).as(demo.output()).isZero();
    assertThat(demo.output()).as(demo.output()).contains("status:     SUCCESS").contains("attempt 1:");
    assertThat(find(WORKFLOW, demo.output())).startsWith("deploy:123456789012:us-east-1:app-images:v1.0.");
    assertThat(find(WEB_UI, demo.output())).startsWith("http://127.0.0.1:8233/namespaces/default/workflows/");
    String image = find(IMAGE, demo.output());
    assertThat(image).startsWith("127.0.0.1:5000/app-images:v1.0.");
    List<String> printed = demo.output().lines().filter(l -> l.startsWith("  | ")).map(l -> l.substring(4)).toList();
    assertThat(printed).anyMatch(l -> l.startsWith("Hello from Blacktree"));

    Run again = run(new ProcessBuilder("docker", "run", "--rm", "--network", "none", image).redirectErrorStream(true));

    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output().lines().toList()).isEqualTo(printed);
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

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("scripts/demo")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new AssertionError("scripts/demo not found above " + Path.of("").toAbsolutePath());
  }
}
