package io.blacktree.testsupport;

import io.blacktree.testrule.Prerequisites;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks that a local service a test needs is answering. When it is not: with {@code CI=true} the test
 * FAILS with a message naming the service and how to start it; otherwise the test is skipped (JUnit
 * assumption), so a developer without the services can still run the unit tests ({@link Prerequisites}). A Temporal that answers is
 * also given the tests' namespace ({@link TestNamespace}) before the test uses it.
 *
 * <pre>{@code
 * @BeforeAll
 * static void services() {
 *   ServiceRequirement.require(Service.DOCKER, Service.REGISTRY_OPEN);
 * }
 * }</pre>
 */
public final class ServiceRequirement {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  /** The services {@code scripts/services} starts, with the name that script knows them by. */
  public enum Service {
    DOCKER("Docker engine", "docker"),
    REGISTRY_OPEN("registry (open)", "registry-open"),
    REGISTRY_AUTH("registry (htpasswd)", "registry-auth"),
    RABBITMQ("RabbitMQ", "rabbitmq"),
    TEMPORAL("Temporal dev server", "temporal");

    private final String label;
    private final String scriptName;

    Service(String label, String scriptName) {
      this.label = label;
      this.scriptName = scriptName;
    }

    /** Human name, e.g. "RabbitMQ". */
    public String label() {
      return label;
    }

    /** The NAME argument of {@code scripts/services start NAME}. */
    public String scriptName() {
      return scriptName;
    }
  }

  private final ServiceEndpoints endpoints;
  private final boolean ci;

  /** A checker for the given endpoints; {@code ci} true turns a missing service into a failure. */
  public ServiceRequirement(ServiceEndpoints endpoints, boolean ci) {
    this.endpoints = endpoints;
    this.ci = ci;
  }

  /** Checks the services at the environment's endpoints, failing (CI) or skipping (else) on the first down. */
  public static void require(Service... services) {
    new ServiceRequirement(ServiceEndpoints.fromEnvironment(), Prerequisites.inCi()).check(services);
  }

  /**
   * For a prerequisite that is not one of the services (a binary, a tool): {@link Prerequisites#require}, which
   * fails with CI=true and skips otherwise when {@code available} is false. {@code what} names it, e.g.
   * "docker-compose".
   */
  public static void requireThat(boolean available, String what) {
    Prerequisites.require(available, what);
  }

  /** Checks each service; see the class comment for what happens when one is down. */
  public void check(Service... services) {
    for (Service service : services) {
      Optional<String> problem = probe(service);
      if (problem.isPresent()) {
        String message = service.label() + " is not reachable at " + address(service) + " (" + problem.get()
            + "). Start the local services with `scripts/services start` (or `scripts/services start "
            + service.scriptName() + "`).";
        Prerequisites.unmet(ci, "service is down", message);
      }
      if (service == Service.TEMPORAL) {
        TestNamespace.ensure(endpoints.temporalTarget(), endpoints.temporalNamespace());
      }
    }
  }

  /** Empty when the service answers, else what went wrong. */
  public Optional<String> probe(Service service) {
    try {
      return switch (service) {
        case DOCKER -> probeDocker();
        case REGISTRY_OPEN -> probeRegistry(endpoints.registryOpen());
        case REGISTRY_AUTH -> probeRegistry(endpoints.registryAuth());
        case RABBITMQ -> probeTcp(endpoints.amqpHost(), endpoints.amqpPort());
        case TEMPORAL -> probeTcp(hostOf(endpoints.temporalTarget()), portOf(endpoints.temporalTarget()));
      };
    } catch (IOException e) {
      return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  private String address(Service service) {
    return switch (service) {
      case DOCKER -> endpoints.dockerHost();
      case REGISTRY_OPEN -> endpoints.registryOpen();
      case REGISTRY_AUTH -> endpoints.registryAuth();
      case RABBITMQ -> endpoints.amqpHost() + ":" + endpoints.amqpPort();
      case TEMPORAL -> endpoints.temporalTarget();
    };
  }

  private Optional<String> probeDocker() throws IOException {
    URI host = URI.create(endpoints.dockerHost());
    if (!"unix".equals(host.getScheme())) {
      return probeTcp(host.getHost(), host.getPort());
    }
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(host.getPath()))) {
      channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer buffer = ByteBuffer.allocate(512);
      channel.read(buffer);
      String head = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
      return head.startsWith("HTTP/1.") && head.contains(" 200 ")
          ? Optional.empty()
          : Optional.of("/_ping answered " + head.lines().findFirst().orElse("nothing"));
    }
  }

  private static Optional<String> probeRegistry(String hostPort) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/")).timeout(TIMEOUT).GET().build();
    int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    return status == 200 || status == 401 ? Optional.empty() : Optional.of("GET /v2/ answered HTTP " + status);
  }

  private static Optional<String> probeTcp(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) TIMEOUT.toMillis());
      return Optional.empty();
    }
  }

  private static String hostOf(String hostPort) {
    return hostPort.substring(0, hostPort.lastIndexOf(':'));
  }

  private static int portOf(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }
}
