package io.blacktree.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.blacktree.testsupport.ServiceRequirement.Service;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DockerEngineIT {
  private static final TestIds IDS = TestIds.forClass(DockerEngineIT.class);
  private static DockerClient docker;

  @BeforeAll
  static void services() {
    ServiceRequirement.require(Service.DOCKER);
    docker = DockerClients.fromEnvironment();
  }

  @AfterAll
  static void close() throws Exception {
    if (docker != null) {
      docker.close();
    }
  }

  @Test
  void buildAndRun_busyboxImage_printsItsOutputWithoutNetwork() throws Exception {
    String tag = IDS.name("busybox") + ":1";
    BusyboxImage.Built image = new BusyboxImage(docker).build(tag,
        java.util.List.of("RUN [\"/bin/sh\", \"-c\", \"echo built-in-image > /greeting\"]"));
    try {
      ImageRunner.Result result = new ImageRunner(docker).run(image.tag(), Duration.ofMinutes(1),
          "/bin/sh", "-c", "cat /greeting; echo hello-" + IDS.prefix() + "; ls /sys/class/net");

      assertThat(image.id()).startsWith("sha256:");
      assertThat(result.exitCode()).isZero();
      assertThat(result.output()).contains("built-in-image", "hello-" + IDS.prefix());
      // network mode none: only the loopback interface exists
      assertThat(result.output()).contains("lo").doesNotContain("eth0");
    } finally {
      docker.removeImageCmd(image.id()).withForce(true).exec();
    }
  }

  @Test
  void run_failingCommand_reportsExitCode() throws Exception {
    String tag = IDS.name("busybox-exit") + ":1";
    BusyboxImage.Built image = new BusyboxImage(docker).build(tag);
    try {
      ImageRunner.Result result = new ImageRunner(docker).run(image.tag(), Duration.ofMinutes(1),
          "/bin/sh", "-c", "echo oops >&2; exit 3");

      assertThat(result.exitCode()).isEqualTo(3);
      assertThat(result.output()).contains("oops");
    } finally {
      docker.removeImageCmd(image.id()).withForce(true).exec();
    }
  }
}
