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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Builds the orchestrator's gRPC channels to its build workers: TLS when a CA or a client certificate is
 * configured (the CA verifies the worker; the certificate and key answer a worker that requires client
 * certificates), and a bearer token on every call when one is configured. Nothing set = plaintext. Every call
 * carries the caller's trace context ({@link TraceContextClientInterceptor}).
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
   */
  public record Settings(Path tlsCa, Path tlsCert, Path tlsKey, Path authTokenFile) {
    /** Plaintext, no token. */
    public static Settings none() {
      return new Settings(null, null, null, null);
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
      return "Settings[tls=" + tls() + ", clientCert=" + (tlsCert != null) + ", tokenFile=" + authTokenFile + "]";
    }
  }

  private final ChannelCredentials credentials;

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
    this.credentials = token == null ? transport
        : CompositeChannelCredentials.create(transport, new BearerCredentials(token));
  }

  /** A new channel to {@code address} ({@code host:port}); the caller closes it. */
  public ManagedChannel open(String address) {
    return NettyChannelBuilder.forTarget(address, credentials)
        .intercept(new TraceContextClientInterceptor())
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(true)
        .build();
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
