package io.blacktree.worker;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the worker's gRPC port listens and how the link to the orchestrator is protected: TLS
 * ({@code --tls-cert}/{@code --tls-key}), client certificates required when {@code --tls-client-ca} is given
 * (mTLS), and an optional bearer token ({@code --auth-token-file}, else env {@value #TOKEN_ENV}).
 *
 * <p>Secure by default: the port listens on {@value #DEFAULT_LISTEN}. Anyone who reaches the port can run jobs
 * with the worker's git and registry credentials, so a non-loopback address needs mTLS or a token; without
 * either {@link #exposureRefusal} refuses the start unless {@code insecureListen} says the operator accepts it.
 *
 * @param tlsCert        PEM server certificate chain [--tls-cert]
 * @param tlsKey         PEM PKCS#8 private key of {@code tlsCert} [--tls-key]
 * @param tlsClientCa    PEM CA bundle client certificates must chain to; given = client certs required
 *                       [--tls-client-ca]
 * @param authTokenFile  file holding the bearer token every Worker call must carry [--auth-token-file]
 * @param listen         address the gRPC port binds [--listen], default {@value #DEFAULT_LISTEN}; null = default
 * @param insecureListen serve a non-loopback address without mTLS or token anyway [--insecure-listen]
 */
public record LinkSecurity(Path tlsCert, Path tlsKey, Path tlsClientCa, Path authTokenFile, String listen,
    boolean insecureListen) {
  /** Env variable holding the bearer token when no token file is given. */
  public static final String TOKEN_ENV = "BLACKTREE_AUTH_TOKEN";
  /** The address the worker listens on unless told otherwise: loopback only. */
  public static final String DEFAULT_LISTEN = "127.0.0.1";

  public LinkSecurity {
    listen = listen == null || listen.isBlank() ? DEFAULT_LISTEN : listen.trim();
  }

  /** Whether {@link #listen} is a loopback address (a name is resolved; an unresolvable one is not loopback). */
  public boolean loopback() {
    try {
      return InetAddress.getByName(listen).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Whether callers must prove who they are: a client certificate (mTLS) or the bearer token. */
  public boolean authenticated(boolean hasToken) {
    return hasToken || (tls() && tlsClientCa != null);
  }

  /**
   * Why the worker must not start as configured, if it must not: a non-loopback {@link #listen} without mTLS or
   * a token, and no {@code insecureListen}. The message names both ways to protect the port.
   *
   * @param hasToken whether a bearer token is configured (file or env)
   */
  public Optional<String> exposureRefusal(boolean hasToken) {
    if (loopback() || authenticated(hasToken) || insecureListen) {
      return Optional.empty();
    }
    return Optional.of("refusing to listen on " + listen + " without client authentication: anyone who reaches "
        + "the port could run jobs with this worker's git and registry credentials. Require mTLS (--tls-cert, "
        + "--tls-key and --tls-client-ca) or a bearer token (--auth-token-file, or env " + TOKEN_ENV + "), "
        + "listen on loopback (--listen " + DEFAULT_LISTEN + "), or pass --insecure-listen to accept the risk");
  }

  /** Whether the port is served off loopback without mTLS or token because of {@code insecureListen}. */
  public boolean insecureExposure(boolean hasToken) {
    return insecureListen && !loopback() && !authenticated(hasToken);
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
    try {
      InetAddress.getByName(listen);
    } catch (UnknownHostException e) {
      out.add("listen: cannot resolve " + listen);
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
    return "LinkSecurity[listen=" + listen + ", tls=" + tls() + ", clientCertsRequired=" + (tlsClientCa != null)
        + ", tokenFile=" + authTokenFile + ", insecureListen=" + insecureListen + "]";
  }
}
