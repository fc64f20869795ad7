package io.blacktree.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small client for the Registry HTTP API v2 (distribution), enough for tests to check what a push left
 * behind: tags of a repository and the manifest digest of a tag. Works with the open registry and with the
 * htpasswd one (Basic auth), and follows a Bearer token challenge if a registry answers with one.
 *
 * <p>Errors: an unexpected HTTP status throws {@link RegistryException} carrying the status (401 for bad
 * credentials); I/O failures are {@link UncheckedIOException}.
 */
public final class RegistryClient {
  /** Manifest media types a HEAD must accept, or the registry converts/refuses (schema 1 fallback). */
  public static final String MANIFEST_ACCEPT = String.join(", ",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.oci.image.index.v1+json");

  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /** An HTTP status the client did not expect. */
  public static final class RegistryException extends RuntimeException {
    private final int status;

    RegistryException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final String hostPort;
  private final String basic;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final ObjectMapper json = new ObjectMapper();

  private RegistryClient(String hostPort, String basic) {
    this.hostPort = hostPort;
    this.basic = basic;
  }

  /** A client without credentials for {@code host:port} (plain HTTP). */
  public static RegistryClient anonymous(String hostPort) {
    return new RegistryClient(hostPort, null);
  }

  /** A client sending {@code user}/{@code password} (Basic, or to the token service on a challenge). */
  public static RegistryClient withCredentials(String hostPort, String user, String password) {
    String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return new RegistryClient(hostPort, "Basic " + token);
  }

  /** The open registry of the environment. */
  public static RegistryClient open(ServiceEndpoints endpoints) {
    return anonymous(endpoints.registryOpen());
  }

  /** The htpasswd registry of the environment, with its test credentials. */
  public static RegistryClient authenticated(ServiceEndpoints endpoints) {
    return withCredentials(endpoints.registryAuth(), endpoints.registryUser(), endpoints.registryPassword());
  }

  /** {@code host:port} this client talks to. */
  public String hostPort() {
    return hostPort;
  }

  /** Status of {@code GET /v2/}: 200 when the credentials (if any) are accepted, 401 otherwise. */
  public int ping() {
    return send(request("/v2/").GET(), "registry:catalog:*").statusCode();
  }

  /** Tags of {@code repository} (without host), empty when the repository does not exist. */
  public List<String> tags(String repository) {
    HttpResponse<String> response = send(request("/v2/" + repository + "/tags/list").GET(),
        "repository:" + repository + ":pull");
    if (response.statusCode() == 404) {
      return List.of();
    }
    expectOk(response, "tags of " + repository);
    List<String> tags = new ArrayList<>();
    try {
      JsonNode node = json.readTree(response.body()).path("tags");
      node.forEach(t -> tags.add(t.asText()));
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable tags list of " + repository, e);
    }
    return tags;
  }

  /** The digest ({@code sha256:...}) of the manifest {@code reference} (tag or digest) names; empty if absent. */
  public Optional<String> manifestDigest(String repository, String reference) {
    HttpResponse<String> response = send(
        request("/v2/" + repository + "/manifests/" + reference)
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .header("Accept", MANIFEST_ACCEPT),
        "repository:" + repository + ":pull");
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    expectOk(response, "manifest " + repository + ":" + reference);
    return response.headers().firstValue("Docker-Content-Digest");
  }

  /** The manifest {@code reference} (tag or digest) names, as the registry serves it (JSON); empty if absent. */
  public Optional<String> manifest(String repository, String reference) {
    HttpResponse<byte[]> response = send(request("/v2/" + repository + "/manifests/" + reference).GET()
        .header("Accept", MANIFEST_ACCEPT), "repository:" + repository + ":pull", HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    expectOk(response, "manifest " + repository + ":" + reference);
    return Optional.of(new String(response.body(), StandardCharsets.UTF_8));
  }

  /** The bytes of blob {@code digest} in {@code repository} (a layer, a config). */
  public byte[] blob(String repository, String digest) {
    HttpResponse<byte[]> response = send(request("/v2/" + repository + "/blobs/" + digest).GET(),
        "repository:" + repository + ":pull", HttpResponse.BodyHandlers.ofByteArray());
    expectOk(response, "blob " + repository + "@" + digest);
    return response.body();
  }

  /** Deletes a manifest by digest (the registries here allow deletes); true if it existed. */
  public boolean deleteManifest(String repository, String digest) {
    HttpResponse<String> response = send(request("/v2/" + repository + "/manifests/" + digest).DELETE(),
        "repository:" + repository + ":delete");
    if (response.statusCode() == 404) {
      return false;
    }
    if (response.statusCode() != 202) {
      throw new RegistryException(response.statusCode(), "delete " + repository + "@" + digest
          + " answered HTTP " + response.statusCode());
    }
    return true;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://" + hostPort + path)).timeout(TIMEOUT);
  }

  /** Sends with Basic credentials; on a Bearer challenge fetches a token for {@code scope} and retries once. */
  private HttpResponse<String> send(HttpRequest.Builder builder, String scope) {
    return send(builder, scope, HttpResponse.BodyHandlers.ofString());
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder builder, String scope, HttpResponse.BodyHandler<T> body) {
    if (basic != null) {
      builder.setHeader("Authorization", basic);
    }
    HttpResponse<T> response = exchange(builder.build(), body);
    Optional<String> challenge = response.headers().firstValue("WWW-Authenticate");
    if (response.statusCode() == 401 && challenge.isPresent() && challenge.get().startsWith("Bearer ")) {
      String token = fetchToken(challenge.get(), scope);
      response = exchange(builder.setHeader("Authorization", "Bearer " + token).build(), body);
    }
    return response;
  }

  private String fetchToken(String challenge, String scope) {
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1), m.group(2));
    }
    String realm = params.remove("realm");
    if (realm == null) {
      throw new RegistryException(401, "Bearer challenge without realm from " + hostPort);
    }
    params.putIfAbsent("scope", scope);
    StringBuilder query = new StringBuilder();
    params.forEach((k, v) -> query.append(query.length() == 0 ? "?" : "&").append(k).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpRequest.Builder tokenRequest = HttpRequest.newBuilder(URI.create(realm + query)).timeout(TIMEOUT).GET();
    if (basic != null) {
      tokenRequest.header("Authorization", basic);
    }
    HttpResponse<String> response = exchange(tokenRequest.build());
    expectOk(response, "token from " + realm);
    try {
      JsonNode body = json.readTree(response.body());
      String token = body.hasNonNull("token") ? body.get("token").asText() : body.path("access_token").asText();
      if (token.isEmpty()) {
        throw new RegistryException(response.statusCode(), "token service " + realm + " returned no token");
      }
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable token response from " + realm, e);
    }
  }

  private HttpResponse<String> exchange(HttpRequest request) {
    return exchange(request, HttpResponse.BodyHandlers.ofString());
  }

  private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) {
    try {
      return http.send(request, body);
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + request.method() + " " + request.uri(), e);
    }
  }

  private static void expectOk(HttpResponse<?> response, String what) {
    if (response.statusCode() != 200) {
      throw new RegistryException(response.statusCode(), what + " answered HTTP " + response.statusCode());
    }
  }
}
