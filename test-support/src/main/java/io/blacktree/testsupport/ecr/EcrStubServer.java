package io.blacktree.testsupport.ecr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one stand-in the tests allow: the AWS ECR API (JSON 1.1 protocol, {@code X-Amz-Target:
 * AmazonEC2ContainerRegistry_V20150921.<Op>}) on 127.0.0.1 and an ephemeral port, reached through the SDK's
 * {@code endpointOverride}. It answers {@code GetAuthorizationToken}, {@code DescribeRepositories} and
 * {@code CreateRepository}; signatures are not checked.
 *
 * <p>The token is {@code base64(user + ":" + password)}. Real ECR always says user {@code AWS}; the test
 * registry's htpasswd user is {@code blacktree}, so the stub lets the test choose the user and the worker
 * takes the user from the token, splitting at the first ':' as Docker's ECR credential helper does.
 * {@code proxyEndpoint} is the registry the token is for (e.g. {@code http://127.0.0.1:5001}).
 */
public final class EcrStubServer implements AutoCloseable {
  private static final String PREFIX = "AmazonEC2ContainerRegistry_V20150921.";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final String user;
  private final String password;
  private final URI proxyEndpoint;
  private final Set<String> repositories = ConcurrentHashMap.newKeySet();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private volatile boolean denyTokens;

  private EcrStubServer(String user, String password, URI proxyEndpoint) throws IOException {
    this.user = user;
    this.password = password;
    this.proxyEndpoint = proxyEndpoint;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts the stub; tokens it hands out are {@code base64(user:password)} for {@code proxyEndpoint}. */
  public static EcrStubServer start(String user, String password, URI proxyEndpoint) {
    try {
      return new EcrStubServer(user, password, proxyEndpoint);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The SDK endpoint override: {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Makes the repository exist (DescribeRepositories finds it). */
  public void addRepository(String name) {
    repositories.add(name);
  }

  public boolean hasRepository(String name) {
    return repositories.contains(name);
  }

  /** When true, GetAuthorizationToken answers AccessDeniedException (HTTP 400). */
  public void denyTokens(boolean deny) {
    this.denyTokens = deny;
  }

  /** Operation names received, in order (e.g. {@code GetAuthorizationToken}). */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
      JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
      String op = target == null ? "" : target.replace(PREFIX, "");
      calls.add(op);
      switch (op) {
        case "GetAuthorizationToken" -> authorizationToken(ex);
        case "DescribeRepositories" -> describe(ex, body);
        case "CreateRepository" -> create(ex, body);
        default -> error(ex, "UnknownOperationException", "unknown operation " + op);
      }
    }
  }

  private void authorizationToken(HttpExchange ex) throws IOException {
    if (denyTokens) {
      error(ex, "AccessDeniedException", "not authorized to perform ecr:GetAuthorizationToken");
      return;
    }
    ObjectNode data = JSON.createObjectNode();
    data.put("authorizationToken",
        Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    data.put("expiresAt", Instant.now().plusSeconds(43200).getEpochSecond());
    data.put("proxyEndpoint", proxyEndpoint.toString());
    ObjectNode out = JSON.createObjectNode();
    out.putArray("authorizationData").add(data);
    ok(ex, out);
  }

  private void describe(HttpExchange ex, JsonNode body) throws IOException {
    ObjectNode out = JSON.createObjectNode();
    var list = out.putArray("repositories");
    for (JsonNode n : body.path("repositoryNames")) {
      if (!repositories.contains(n.asText())) {
        error(ex, "RepositoryNotFoundException", "The repository with name '" + n.asText() + "' does not exist");
        return;
      }
      list.add(repository(n.asText()));
    }
    ok(ex, out);
  }

  private void create(HttpExchange ex, JsonNode body) throws IOException {
    String name = body.path("repositoryName").asText();
    if (!repositories.add(name)) {
      error(ex, "RepositoryAlreadyExistsException", "The repository with name '" + name + "' already exists");
      return;
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("repository", repository(name));
    ok(ex, out);
  }

  private ObjectNode repository(String name) {
    ObjectNode repo = JSON.createObjectNode();
    repo.put("repositoryName", name);
    repo.put("registryId", "123456789012");
    repo.put("repositoryArn", "arn:aws:ecr:us-east-1:123456789012:repository/" + name);
    repo.put("repositoryUri", proxyEndpoint.getAuthority() + "/" + name);
    return repo;
  }

  private static void ok(HttpExchange ex, JsonNode out) throws IOException {
    send(ex, 200, JSON.writeValueAsBytes(out));
  }

  private static void error(HttpExchange ex, String type, String message) throws IOException {
    ObjectNode out = JSON.createObjectNode();
    out.put("__type", type);
    out.put("message", message);
    send(ex, 400, JSON.writeValueAsBytes(out));
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
