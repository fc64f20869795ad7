package io.blacktree.bridge;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where and how a process reaches RabbitMQ: the URL ({@code amqp://} or {@code amqps://}, best without a
 * password), the password kept apart (from a file or the environment), and for {@code amqps://} the PEM CA the
 * broker's certificate must chain to (default: the JDK trust store) and an optional client certificate. TLS
 * always verifies the broker's certificate and host name (the Java client's own {@code amqps://} default
 * trusts every certificate: not here). {@link #toString()} and {@link #redactedUrl()} never show the password.
 *
 * <p>The URL may list the nodes of a cluster, comma-separated ({@code amqp://u@rabbit-0:5672,amqp://u@rabbit-1:5672}):
 * all with the same scheme, user and virtual host, which the first one's password, TLS and port defaults apply
 * to. A connection goes to the first node that answers, and automatic recovery reconnects to any of them.
 *
 * @param url      broker URL, or several of one cluster comma-separated; a password in it is used unless
 *                 {@code password} is given
 * @param password the password, or null
 * @param tlsCa    PEM CA bundle for {@code amqps://}, or null for the JDK trust store
 * @param tlsCert  PEM client certificate chain (with {@code tlsKey}), or null
 * @param tlsKey   PEM PKCS#8 key of {@code tlsCert}, or null
 */
public record AmqpEndpoint(String url, String password, Path tlsCa, Path tlsCert, Path tlsKey) {

  /** The endpoint of a plain URL (credentials, if any, in it). */
  public static AmqpEndpoint of(String url) {
    return new AmqpEndpoint(url, null, null, null, null);
  }

  /** Whether the link speaks TLS ({@code amqps://}). */
  public boolean tls() {
    return url != null && url.strip().regionMatches(true, 0, "amqps://", 0, 8);
  }

  /** The URLs the endpoint lists (one per cluster node), in the order given. */
  public List<String> urls() {
    if (url == null) {
      return List.of();
    }
    return List.of(url.split(",")).stream().map(String::strip).filter(u -> !u.isEmpty()).toList();
  }

  /**
   * The brokers' host:port addresses, for {@code ConnectionFactory.newConnection(addresses, name)}.
   *
   * @throws IllegalArgumentException when {@link #problems()} is not empty
   */
  public List<Address> addresses() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    List<Address> out = new ArrayList<>();
    for (String u : urls()) {
      URI uri = URI.create(u);
      int port = uri.getPort() > 0 ? uri.getPort() : (tls() ? 5671 : 5672);
      out.add(new Address(uri.getHost(), port));
    }
    return out;
  }

  /** Every problem at once; empty when usable. Never names the password. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    List<String> urls = urls();
    if (urls.isEmpty()) {
      out.add("the AMQP URL is not a valid amqp:// or amqps:// URL");
    }
    String first = null;
    for (String u : urls) {
      String problem = urlProblem(u);
      if (problem != null) {
        out.add(problem);
        continue;
      }
      String shared = sharedPart(URI.create(u));
      if (first == null) {
        first = shared;
      } else if (!first.equals(shared)) {
        out.add("the AMQP URLs of one cluster must share scheme, user and virtual host (" + redact(u) + ")");
      }
    }
    if (!tls() && (tlsCa != null || tlsCert != null)) {
      out.add("TLS files are given but the AMQP URL is not amqps://");
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      out.add("AMQP client certificate and key: give both or neither");
    }
    for (Path p : new Path[] {tlsCa, tlsCert, tlsKey}) {
      if (p != null && !Files.isReadable(p)) {
        out.add(p + ": is not a readable file");
      }
    }
    return out;
  }

  private static String urlProblem(String u) {
    try {
      URI uri = new URI(u);
      if (!"amqp".equalsIgnoreCase(uri.getScheme()) && !"amqps".equalsIgnoreCase(uri.getScheme())) {
        return "the AMQP URL must start with amqp:// or amqps://";
      }
      if (uri.getHost() == null) {
        return "the AMQP URL " + redact(u) + " names no host";
      }
      return null;
    } catch (URISyntaxException e) {
      return "the AMQP URL is not a valid amqp:// or amqps:// URL";
    }
  }

  /** What every node's URL must agree on: scheme, user (not the password) and virtual host. */
  private static String sharedPart(URI uri) {
    String user = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo().replaceFirst(":.*", "");
    return uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "|" + user + "|" + Objects.toString(uri.getRawPath(), "");
  }

  /** The URL with any password replaced by {@code ***}, for messages and logs. */
  public String redactedUrl() {
    return redact(url);
  }

  /** {@code url} with any password replaced by {@code ***}. */
  public static String redact(String url) {
    return url == null ? "null" : url.replaceAll("//([^:/@]*):[^@/]*@", "//$1:***@");
  }

  /**
   * A connection factory for this endpoint (URL, password, verified TLS); recovery and timeouts are the
   * caller's to set.
   *
   * @throws IllegalArgumentException for a malformed URL or unusable TLS files (the message names no secret)
   */
  public ConnectionFactory newFactory() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(urls().get(0));
    } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the AMQP URL is not a valid amqp:// or amqps:// URL");
    }
    if (password != null) {
      factory.setPassword(password);
    }
    if (tls()) {
      factory.useSslProtocol(sslContext());
      factory.enableHostnameVerification();
    }
    return factory;
  }

  private SSLContext sslContext() {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (tlsCa == null) {
        trust.init((KeyStore) null);
      } else {
        KeyStore store = emptyStore();
        int i = 0;
        for (Certificate c : certificates(tlsCa)) {
          store.setCertificateEntry("ca-" + i++, c);
        }
        trust.init(store);
      }
      KeyManagerFactory keys = null;
      if (tlsCert != null) {
        KeyStore store = emptyStore();
        store.setKeyEntry("client", privateKey(tlsKey), new char[0],
            certificates(tlsCert).toArray(new Certificate[0]));
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("AMQP TLS files are not usable PEM (certificates, PKCS#8 key): "
          + e.getClass().getSimpleName());
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    return store;
  }

  private static Collection<? extends Certificate> certificates(Path pem) throws GeneralSecurityException, IOException {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new GeneralSecurityException("no certificate");
      }
      return certs;
    }
  }

  private static PrivateKey privateKey(Path pem) throws GeneralSecurityException, IOException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException("not a PKCS#8 PEM key");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException("unsupported key algorithm");
  }

  @Override
  public String toString() {
    return "AmqpEndpoint[" + redactedUrl() + (password != null ? ", password ****" : "")
        + (tlsCa != null ? ", ca " + tlsCa : "") + (tlsCert != null ? ", cert " + tlsCert : "") + "]";
  }
}
