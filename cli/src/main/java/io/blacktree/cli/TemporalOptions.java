package io.blacktree.cli;

import io.blacktree.core.Defaults;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.blacktree.core.Defaults;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.blacktree.core.Defaults;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.interceptors.WorkflowClientInterceptor;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Option;

/**
 * The Temporal connection flags shared by every command that talks to Temporal, and the one place the
 * Temporal clients are built: TLS (server verified by the JDK trust store or {@code --temporal-tls-ca}), a
 * client certificate for mTLS to a self-hosted frontend, an API key from a flag, env or file. Other code adds
 * metrics and tracing through {@link TemporalExtras}.
 */
public final class TemporalOptions {
  @Option(names = "--temporal", defaultValue = Defaults.TEMPORAL_TARGET, paramLabel = "HOST:PORT",
      description = "Temporal frontend (default: ${DEFAULT-VALUE}; env BLACKTREE_TEMPORAL).")
  String target;

  @Option(names = "--namespace", defaultValue = Defaults.NAMESPACE,
      description = "Temporal namespace (default: ${DEFAULT-VALUE}; env BLACKTREE_NAMESPACE).")
  String namespace;

  @Option(names = "--temporal-tls", defaultValue = "false",
      description = "Connect to Temporal over TLS (env BLACKTREE_TEMPORAL_TLS; implied by every other TLS flag).")
  boolean tls;

  @Option(names = "--temporal-tls-ca", paramLabel = "FILE",
      description = "PEM CA bundle the frontend's certificate must chain to (default: the JDK trust store).")
  Path tlsCa;

  @Option(names = "--temporal-tls-cert", paramLabel = "FILE",
      description = "PEM client certificate chain for mTLS to the frontend (with --temporal-tls-key).")
  Path tlsCert;

  @Option(names = "--temporal-tls-key", paramLabel = "FILE", description = "PEM PKCS#8 key of --temporal-tls-cert.")
  Path tlsKey;

  @Option(names = "--temporal-tls-server-name", paramLabel = "NAME",
      description = "Name the frontend's certificate is checked against, when it differs from the --temporal host.")
  String tlsServerName;

  @Option(names = "--temporal-api-key", paramLabel = "KEY", arity = "1",
      description = "Temporal API key (prefer env BLACKTREE_TEMPORAL_API_KEY or --temporal-api-key-file: "
          + "arguments are visible to other users; implies TLS).")
  String apiKey;

  @Option(names = "--temporal-api-key-file", paramLabel = "FILE",
      description = "File holding the Temporal API key (implies TLS).")
  Path apiKeyFile;

  public String target() {
    return target;
  }

  public String namespace() {
    return namespace;
  }

  /** Whether the link to Temporal speaks TLS. */
  public boolean usesTls() {
    return tls || tlsCa != null || tlsCert != null || hasApiKey();
  }

  private boolean hasApiKey() {
    return (apiKey != null && !apiKey.isBlank()) || apiKeyFile != null;
  }

  /** Every problem of these flags at once; empty when usable. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if ((tlsCert == null) != (tlsKey == null)) {
      out.add("--temporal-tls-cert and --temporal-tls-key: give both or neither");
    }
    if (apiKey != null && !apiKey.isBlank() && apiKeyFile != null) {
      out.add("--temporal-api-key and --temporal-api-key-file: give one");
    }
    for (Path p : new Path[] {tlsCa, tlsCert, tlsKey, apiKeyFile}) {
      if (p != null && !Files.isReadable(p)) {
        out.add(p + ": is not a readable file");
      }
    }
    return out;
  }

  /** The service stubs options these flags describe, with nothing extra. */
  public WorkflowServiceStubsOptions stubsOptions() throws CliException {
    return stubsBuilder(TemporalExtras.NONE).build();
  }

  /**
   * A stubs builder with target, TLS, API key and {@code extras} set, for callers that add more.
   *
   * @throws CliException exit 2 when a TLS or key file is missing or unreadable
   */
  public WorkflowServiceStubsOptions.Builder stubsBuilder(TemporalExtras extras) throws CliException {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw CliException.badInput("invalid Temporal options: " + String.join("; ", problems));
    }
    WorkflowServiceStubsOptions.Builder builder = WorkflowServiceStubsOptions.newBuilder()
        .setTarget(target)
        .setMetricsScope(extras.metricsScope());
    if (!extras.grpcInterceptors().isEmpty()) {
      builder.setGrpcClientInterceptors(extras.grpcInterceptors());
    }
    if (hasApiKey()) {
      String key = readApiKey();
      builder.addApiKey(() -> key);
    }
    if (usesTls()) {
      builder.setSslContext(sslContext());
      if (tlsServerName != null && !tlsServerName.isBlank()) {
        String name = tlsServerName;
        builder.setChannelInitializer(channel -> channel.overrideAuthority(name));
      }
    }
    return builder;
  }

  /** Client options for the namespace with {@code extras}' propagators and interceptors. */
  public WorkflowClientOptions clientOptions(TemporalExtras extras) {
    WorkflowClientOptions.Builder builder = WorkflowClientOptions.newBuilder().setNamespace(namespace);
    if (!extras.propagators().isEmpty()) {
      builder.setContextPropagators(extras.propagators());
    }
    if (!extras.clientInterceptors().isEmpty()) {
      builder.setInterceptors(extras.clientInterceptors().toArray(new WorkflowClientInterceptor[0]));
    }
    return builder.build();
  }

  /**
   * Connects (with a health check) and returns the clients.
   *
   * @throws CliException exit 2 for bad TLS/key files, exit 3 when Temporal does not answer
   */
  public TemporalClients connect() throws CliException {
    return connect(TemporalExtras.NONE);
  }

  /**
   * Connects (with a health check) with {@code extras} and returns the clients.
   *
   * @throws CliException exit 2 for bad TLS/key files, exit 3 when Temporal does not answer
   */
  public TemporalClients connect(TemporalExtras extras) throws CliException {
    WorkflowServiceStubsOptions options = stubsBuilder(extras).build();
    WorkflowServiceStubs service;
    try {
      service = WorkflowServiceStubs.newConnectedServiceStubs(options, Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      if (refusedCredentials(e)) {
        throw refused(target, e);
      }
      throw CliException.unreachable("Temporal at " + target + " is unreachable: " + rootMessage(e), e);
    }
    return new TemporalClients(service, WorkflowClient.newInstance(service, clientOptions(extras)), namespace,
        target, extras);
  }

  /** Whether {@code e} is the frontend refusing the caller (no, a wrong or an unprivileged API key/certificate). */
  static boolean refusedCredentials(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof io.grpc.StatusRuntimeException s) {
        io.grpc.Status.Code code = s.getStatus().getCode();
        return code == io.grpc.Status.Code.UNAUTHENTICATED || code == io.grpc.Status.Code.PERMISSION_DENIED;
      }
    }
    return false;
  }

  /** Exit 3 naming the refusal and the flags that carry credentials (the status text is the server's). */
  static CliException refused(String target, Throwable e) {
    return CliException.unreachable("Temporal at " + target + " refused the credentials: " + rootMessage(e)
        + " (check --temporal-api-key-file / BLACKTREE_TEMPORAL_API_KEY, or --temporal-tls-cert)", e);
  }

  /**
   * As {@link #connect(TemporalExtras)}, trying again for up to {@code bound} while Temporal does not answer
   * (a long-running process started beside a busy or restarting server waits instead of exiting).
   *
   * @throws CliException exit 2 for bad TLS/key files, exit 3 when Temporal still does not answer
   */
  public TemporalClients connectWaiting(TemporalExtras extras, Duration bound) throws CliException {
    long end = System.nanoTime() + bound.toNanos();
    while (true) {
      try {
        return connect(extras);
      } catch (CliException e) {
        if (e.exitCode() != ExitCode.UNREACHABLE || System.nanoTime() > end) {
          throw e;
        }
        org.slf4j.LoggerFactory.getLogger(TemporalOptions.class)
            .warn("{}; trying again", e.getMessage());
        try {
          Thread.sleep(2000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * Clients that do not wait for Temporal (it may be down at start) and whose calls give up after
   * {@code rpcTimeout}, so an outage is noticed quickly: the bridge's clients.
   *
   * @throws CliException exit 2 for bad TLS/key files
   */
  public TemporalClients connectLazily(TemporalExtras extras, Duration rpcTimeout) throws CliException {
    WorkflowServiceStubsOptions options = stubsBuilder(extras)
        .setRpcTimeout(rpcTimeout)
        .setRpcRetryOptions(RpcRetryOptions.newBuilder().setExpiration(rpcTimeout)
            .setMaximumInterval(Duration.ofSeconds(1)).validateBuildWithDefaults())
        .setConnectionBackoffResetFrequency(Duration.ofSeconds(2))
        .build();
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(options);
    return new TemporalClients(service, WorkflowClient.newInstance(service, clientOptions(extras)), namespace,
        target, extras);
  }

  private String readApiKey() throws CliException {
    if (apiKeyFile == null) {
      return apiKey.trim();
    }
    try {
      String key = Files.readString(apiKeyFile, StandardCharsets.UTF_8).trim();
      if (key.isEmpty()) {
        throw CliException.badInput("--temporal-api-key-file " + apiKeyFile + " is empty");
      }
      return key;
    } catch (IOException e) {
      throw CliException.badInput("--temporal-api-key-file " + apiKeyFile + " cannot be read: "
          + e.getClass().getSimpleName());
    }
  }

  private SslContext sslContext() throws CliException {
    try {
      SslContextBuilder builder = GrpcSslContexts.forClient();
      if (tlsCa != null) {
        builder.trustManager(tlsCa.toFile());
      }
      if (tlsCert != null) {
        builder.keyManager(tlsCert.toFile(), tlsKey.toFile());
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw CliException.badInput("Temporal TLS files are not usable PEM (certificate, PKCS#8 key): "
          + rootMessage(e));
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
