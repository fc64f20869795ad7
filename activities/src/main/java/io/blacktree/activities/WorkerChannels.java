package io.blacktree.activities;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
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
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Builds the orchestrator's gRPC channels to its build workers: TLS when a CA or a client certificate is
 * configured (the CA verifies the worker; the certificate and key answer a worker that requires client
 * certificates), and a bearer token on every call when one is configured. Nothing set = plaintext, which is
 * only allowed to a loopback worker address ({@code localhost} or a loopback IP literal; other names are not
 * trusted to stay loopback) unless {@code insecureWorkers}: a plaintext link without a token lets anyone on the
 * path run jobs with the worker's credentials. Every call carries the caller's trace context
 * ({@link TraceContextClientInterceptor}).
 */
public final class WorkerChannels {
  /** Env variable holding the bearer token when no token file is given (the same one the worker reads). */
  public static final String TOKEN_ENV = "BLACKTREE_AUTH_TOKEN";

  /**
   * The link settings; flag names in brackets.
   *
   * @param tlsCa         PEM CA bundle the workers' certificates must chain to [--worker-tls-ca]
   *                      (null with TLS = the JDK's trust store)
   * @param tlsCert       PEM client certificate chain [--worker-tls-cert]
   * @param tlsKey        PEM PKCS#8 key of {@code tlsCert} [--worker-tls-key]
   * @param authTokenFile file holding the bearer token [--worker-auth-token-file] (else env {@value #TOKEN_ENV})
   * @param insecureWorkers dial non-loopback workers in plaintext without a token anyway [--insecure-workers]
   */
  public record Settings(Path tlsCa, Path tlsCert, Path tlsKey, Path authTokenFile, boolean insecureWorkers) {
    /** Plaintext, no token (loopback workers only). */
    public static Settings none() {
      return new Settings(null, null, null, null, false);
    }

    /** Whether the channels speak TLS. */
    public boolean tls() {
      return tlsCa != null || tlsCert != null;
    }

    /** Every problem at once; empty when usable. */
    public List<String> problems() {
      List<String> out = new ArrayList<>();
      if ((tlsCert == null) != (tlsKey == null)) {
        out.add("workerTlsCert/workerTlsKey: give both or neither");
      }
      for (Path p : new Path[] {tlsCa, tlsCert, tlsKey, authTokenFile}) {
        if (p != null && !Files.isReadable(p)) {
          out.add(p + ": is not a readable file");
        }
      }
      return out;
    }

    @Override
    public String toString() {
      return "Settings[tls=" + tls() + ", clientCert=" + (tlsCert != null) + ", tokenFile=" + authTokenFile
          + ", insecureWorkers=" + insecureWorkers + "]";
    }
  }

  private final ChannelCredentials credentials;
  private final boolean unprotected;

  /**
   * Reads the files once.
   *
   * @param env where {@value #TOKEN_ENV} is looked up when no token file is set
   * @throws IOException when a file cannot be read (the message names the file, never its content)
   */
  public WorkerChannels(Settings settings, Map<String, String> env) throws IOException {
    List<String> problems = settings.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid worker link settings: " + String.join("; ", problems));
    }
    ChannelCredentials transport = InsecureChannelCredentials.create();
    if (settings.tls()) {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
      if (settings.tlsCa() != null) {
        b.trustManager(settings.tlsCa().toFile());
      }
      if (settings.tlsCert() != null) {
        b.keyManager(settings.tlsCert().toFile(), settings.tlsKey().toFile());
      }
      transport = b.build();
    }
    String token = token(settings, env);
    this.unprotected = !settings.tls() && token == null && !settings.insecureWorkers();
    this.credentials = token == null ? transport
        : CompositeChannelCredentials.create(transport, new BearerCredentials(token));
  }

  /**
   * Why {@code address} ({@code host:port}) must not be dialled with these settings, if it must not: plaintext
   * without a token to a worker that is not on loopback, without {@code insecureWorkers}.
   */
  public Optional<String> dialRefusal(String address) {
    if (!unprotected || loopback(address)) {
      return Optional.empty();
    }
    return Optional.of("refusing to dial worker " + address + " in plaintext without a token: anyone on the path "
        + "could run jobs with its credentials. Use TLS (--worker-tls-ca, with --worker-tls-cert/--worker-tls-key "
        + "for mTLS) or a bearer token (--worker-auth-token-file, or env " + TOKEN_ENV + "), or pass "
        + "--insecure-workers to accept the risk");
  }

  /**
   * A new channel to {@code address} ({@code host:port}); the caller closes it.
   *
   * @throws IllegalArgumentException the address is refused ({@link #dialRefusal})
   */
  public ManagedChannel open(String address) {
    dialRefusal(address).ifPresent(refusal -> {
      throw new IllegalArgumentException(refusal);
    });
    return NettyChannelBuilder.forTarget(address, credentials)
        .intercept(new TraceContextClientInterceptor())
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(true)
        .build();
  }

  /** {@code localhost} or a loopback IP literal ({@code 127.x.x.x}, {@code [::1]}); names are never resolved. */
  static boolean loopback(String address) {
    int colon = address.lastIndexOf(':');
    String host = colon < 0 ? address : address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!host.matches("[0-9.]+") && !host.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String token(Settings settings, Map<String, String> env) throws IOException {
    if (settings.authTokenFile() != null) {
      String t = Files.readString(settings.authTokenFile(), StandardCharsets.UTF_8).trim();
      if (t.isEmpty()) {
        throw new IOException("auth token file " + settings.authTokenFile() + " is empty");
      }
      return t;
    }
    String t = env.get(TOKEN_ENV);
    return t == null || t.isBlank() ? null : t.trim();
  }

  /** Adds {@code authorization: Bearer <token>} to every call. */
  private static final class BearerCredentials extends CallCredentials {
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private final String header;

    BearerCredentials(String token) {
      this.header = "Bearer " + token;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      try {
        Metadata m = new Metadata();
        m.put(AUTHORIZATION, header);
        applier.apply(m);
      } catch (RuntimeException e) {
        applier.fail(Status.UNAUTHENTICATED.withDescription("cannot attach the bearer token"));
      }
    }

    @Override
    public String toString() {
      return "BearerCredentials[****]";
    }
  }
}
