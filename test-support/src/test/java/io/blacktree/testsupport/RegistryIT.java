package io.blacktree.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import io.blacktree.testsupport.ServiceRequirement.Service;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RegistryIT {
  private static final TestIds IDS = TestIds.forClass(RegistryIT.class);
  private static final Duration PUSH_BOUND = Duration.ofMinutes(2);
  private static final ServiceEndpoints ENDPOINTS = ServiceEndpoints.fromEnvironment();
  private static DockerClient docker;
  private static BusyboxImage.Built image;

  @BeforeAll
  static void services() {
    ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN, Service.REGISTRY_AUTH);
    docker = DockerClients.fromEnvironment();
    image = new BusyboxImage(docker).build(IDS.name("local") + ":1");
  }

  @AfterAll
  static void close() throws Exception {
    if (docker != null) {
      if (image != null) {
        docker.removeImageCmd(image.id()).withForce(true).exec();
      }
      docker.close();
    }
  }

  @Test
  void push_openRegistry_digestVisibleThroughRegistryApi() throws Exception {
    String path = IDS.prefix() + "/busybox";
    String repository = ENDPOINTS.registryOpen() + "/" + path;
    ImagePush push = new ImagePush(docker);
    push.tag(image.id(), repository, "v1");

    ImagePush.Outcome outcome = push.push(repository, "v1", null, null, PUSH_BOUND);

    assertThat(outcome.error()).isEmpty();
    RegistryClient registry = RegistryClient.open(ENDPOINTS);
    assertThat(registry.tags(path)).containsExactly("v1");
    assertThat(registry.manifestDigest(path, "v1")).isEqualTo(outcome.digest());
    assertThat(registry.manifestDigest(path, "missing")).isEmpty();
  }

  @Test
  void push_authRegistryWithPassword_digestVisibleWithCredentials() throws Exception {
    String path = IDS.prefix() + "/busybox-auth";
    String repository = ENDPOINTS.registryAuth() + "/" + path;
    ImagePush push = new ImagePush(docker);
    push.tag(image.id(), repository, "v1");

    ImagePush.Outcome outcome = push.push(repository, "v1", ENDPOINTS.registryUser(), ENDPOINTS.registryPassword(),
        PUSH_BOUND);

    assertThat(outcome.error()).isEmpty();
    assertThat(outcome.digest()).hasValueSatisfying(d -> assertThat(d).startsWith("sha256:"));
    RegistryClient registry = RegistryClient.authenticated(ENDPOINTS);
    assertThat(registry.ping()).isEqualTo(200);
    assertThat(registry.tags(path)).containsExactly("v1");
    assertThat(registry.manifestDigest(path, "v1")).isEqualTo(outcome.digest());
  }

  @Test
  void push_authRegistryWrongPassword_failsWithErrorAndNothingStored() throws Exception {
    String path = IDS.prefix() + "/busybox-denied";
    String repository = ENDPOINTS.registryAuth() + "/" + path;
    ImagePush push = new ImagePush(docker);
    push.tag(image.id(), repository, "v1");

    ImagePush.Outcome outcome = push.push(repository, "v1", ENDPOINTS.registryUser(), "wrong-password", PUSH_BOUND);

    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.error()).hasValueSatisfying(e -> assertThat(e.toLowerCase()).contains("auth"));
    assertThat(RegistryClient.authenticated(ENDPOINTS).tags(path)).isEmpty();
  }

  @Test
  void registryClient_wrongPassword_rejectedWith401() {
    RegistryClient wrong = RegistryClient.withCredentials(ENDPOINTS.registryAuth(), ENDPOINTS.registryUser(), "nope");

    assertThat(wrong.ping()).isEqualTo(401);
    assertThatThrownBy(() -> wrong.tags("anything"))
        .isInstanceOf(RegistryClient.RegistryException.class)
        .satisfies(e -> assertThat(((RegistryClient.RegistryException) e).status()).isEqualTo(401));
  }
}
