package io.blacktree.worker;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the worker's gRPC link to the orchestrator is protected: TLS ({@code --tls-cert}/{@code --tls-key}),
 * client certificates required when {@code --tls-client-ca} is given (mTLS), and an optional bearer token
 * ({@code --auth-token-file}, else env {@value #TOKEN_ENV}). All null = plaintext, no token (loopback/dev only).
 *
 * @param tlsCert       PEM server certificate chain [--tls-cert]
 * @param tlsKey        PEM PKCS#8 private key of {@code tlsCert} [--tls-key]
 * @param tlsClientCa   PEM CA bundle client certificates must chain to; given = client certs required
 *                      [--tls-client-ca]
 * @param authTokenFile file holding the bearer token every Worker call must carry [--auth-token-file]
 */
public record LinkSecurity(Path tlsCert, Path tlsKey, Path tlsClientCa, Path authTokenFile) {
  /** Env variable holding the bearer token when no token file is given. */
  public static final String TOKEN_ENV = "BLACKTREE_AUTH_TOKEN";

  /** Plaintext, no token. */
  public static LinkSecurity none() {
    return new LinkSecurity(null, null, null, null);
  }

  /** Whether the server speaks TLS. */
  public boolean tls() {
    return tlsCert != null;
  }

  /** Every problem at once; empty when usable. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if ((tlsCert == null) != (tlsKey == null)) {
      out.add("tlsCert/tlsKey: give both or neither");
    }
    if (tlsClientCa != null && tlsCert == null) {
      out.add("tlsClientCa: needs tlsCert and tlsKey (client certificates only exist over TLS)");
    }
    for (Path p : new Path[] {tlsCert, tlsKey, tlsClientCa, authTokenFile}) {
      if (p != null && !Files.isReadable(p)) {
        out.add(p + ": is not a readable file");
      }
    }
    return out;
  }

  /** The server credentials: TLS (client certificates required when a client CA is set) or insecure. */
  public ServerCredentials serverCredentials() throws IOException {
    if (!tls()) {
      return InsecureServerCredentials.create();
    }
    TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(tlsCert.toFile(), tlsKey.toFile());
    if (tlsClientCa != null) {
      b.trustManager(tlsClientCa.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return b.build();
  }

  /**
   * The bearer token: the token file's content (trimmed), else {@code env}'s {@value #TOKEN_ENV}, else empty.
   *
   * @throws IOException when the file cannot be read or is empty (the message names the file, never the token)
   */
  public Optional<String> token(Map<String, String> env) throws IOException {
    if (authTokenFile != null) {
      String t = Files.readString(authTokenFile, StandardCharsets.UTF_8).trim();
      if (t.isEmpty()) {
        throw new IOException("auth token file " + authTokenFile + " is empty");
      }
      return Optional.of(t);
    }
    String t = env.get(TOKEN_ENV);
    return t == null || t.isBlank() ? Optional.empty() : Optional.of(t.trim());
  }

  @Override
  public String toString() {
    return "LinkSecurity[tls=" + tls() + ", clientCertsRequired=" + (tlsClientCa != null) + ", tokenFile="
        + authTokenFile + "]";
  }
}
