package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.Names;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import io.blacktree.testsupport.tls.TestPki;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code blacktree setup} against an API-key-only frontend: a gRPC front of this test (TLS with a CA made here)
 * that refuses every call without {@code authorization: Bearer <key>} and forwards the others, byte for byte,
 * to the shared Temporal dev server. The search attributes are registered through the operator service, so the
 * key must travel on those calls too, not only on the workflow service's.
 */
class SetupApiKeyIT {
  private static final String OPERATOR_LIST =
      "temporal.api.operatorservice.v1.OperatorService/ListSearchAttributes";

  @TempDir static Path dir;
  static TestPki pki;
  static ApiKeyFront front;
  static final String KEY = "bt-test-key-" + UUID.randomUUID();

  @BeforeAll
  static void start() throws Exception {
    ServiceRequirement.require(Service.TEMPORAL);
    ServiceRequirement.requireThat(TestPki.opensslAvailable(), "openssl CLI");
    pki = TestPki.create(dir, "apikey");
    front = new ApiKeyFront(pki.issue("frontend"), KEY, "127.0.0.1:7233");
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (front != null) {
      front.close();
    }
  }

  @BeforeEach
  void clearCalls() {
    front.forwarded.clear();
    front.refused.clear();
    front.denied.clear();
  }

  private static CliRun setup(Map<String, String> env, String... more) {
    List<String> args = new ArrayList<>(List.of("setup", "--skip-amqp", "--temporal",
        "127.0.0.1:" + front.port(), "--temporal-tls-ca", pki.caCert.toString()));
    args.addAll(List.of(more));
    return CliRun.run(env, args.toArray(String[]::new));
  }

  @Test
  void setup_apiKeyFile_registersThroughTheKeyCheckingFront() throws IOException {
    Path keyFile = Files.writeString(dir.resolve("temporal-key"), KEY + "\n");

    CliRun run = setup(Map.of(), "--temporal-api-key-file", keyFile.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Search attributes in namespace default")
        .contains(String.join(", ", Names.SEARCH_ATTRIBUTES));
    assertThat(front.forwarded).contains(OPERATOR_LIST);
    assertThat(front.refused).isEmpty();
    assertThat(run.out() + run.err()).doesNotContain(KEY);
  }

  @Test
  void setup_apiKeyFromEnvironment_registersThroughTheKeyCheckingFront() {
    CliRun run = setup(Map.of("BLACKTREE_TEMPORAL_API_KEY", KEY));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(front.forwarded).contains(OPERATOR_LIST);
    assertThat(front.refused).isEmpty();
    assertThat(run.out() + run.err()).doesNotContain(KEY);
  }

  @Test
  void setup_withoutApiKey_refusedWithAClearMessage() {
    CliRun run = setup(Map.of());

    assertThat(run.exitCode()).as(run.out()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(run.err()).contains("Temporal at 127.0.0.1:" + front.port() + " refused the credentials")
        .contains("UNAUTHENTICATED");
    assertThat(front.refused).isNotEmpty();
    assertThat(front.forwarded).isEmpty();
  }

  @Test
  void setup_wrongApiKey_refusedAndTheKeyNeverPrinted() {
    String wrong = "bt-wrong-key-" + UUID.randomUUID();

    CliRun run = setup(Map.of("BLACKTREE_TEMPORAL_API_KEY", wrong));

    assertThat(run.exitCode()).as(run.out()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(run.err()).contains("refused the credentials");
    assertThat(run.out() + run.err()).doesNotContain(wrong).doesNotContain(KEY);
    assertThat(front.forwarded).isEmpty();
  }

  @Test
  void setup_missingNamespaceTheServerWillNotCreate_exits2SayingWhereToCreateIt() {
    String namespace = "bt-setup-refused-" + UUID.randomUUID().toString().substring(0, 8);
    front.denied.add("temporal.api.workflowservice.v1.WorkflowService/RegisterNamespace");

    CliRun run = setup(Map.of("BLACKTREE_TEMPORAL_API_KEY", KEY), "--namespace", namespace);

    assertThat(run.exitCode()).as(run.out()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("namespace " + namespace + " does not exist and the server refused to create it")
        .contains("PERMISSION_DENIED").contains("tcld namespace create")
        .contains("temporal operator namespace create --namespace " + namespace);
    assertThat(run.out()).doesNotContain("Search attributes");
  }

  /**
   * A TLS gRPC server that forwards every method, whatever its service, to a plaintext upstream, after checking
   * the {@code authorization} header: what an API-key-only Temporal frontend does with its callers.
   */
  static final class ApiKeyFront implements AutoCloseable {
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };

    final Set<String> forwarded = ConcurrentHashMap.newKeySet();
    final Set<String> refused = ConcurrentHashMap.newKeySet();
    /** Methods answered PERMISSION_DENIED even with the key, as Temporal Cloud answers RegisterNamespace. */
    final Set<String> denied = ConcurrentHashMap.newKeySet();
    private final ManagedChannel upstream;
    private final Server server;

    ApiKeyFront(TestPki.Leaf leaf, String key, String upstreamTarget) throws IOException {
      upstream = NettyChannelBuilder.forTarget(upstreamTarget).usePlaintext().build();
      server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .sslContext(GrpcSslContexts.forServer(leaf.cert().toFile(), leaf.key().toFile()).build())
          .fallbackHandlerRegistry(new Forwarding())
          .intercept(new KeyCheck("Bearer " + key))
          .build()
          .start();
    }

    int port() {
      return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Refuses a call without the expected bearer value, as the frontend's authorizer would. */
    private final class KeyCheck implements ServerInterceptor {
      private final String expected;

      KeyCheck(String expected) {
        this.expected = expected;
      }

      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        if (!expected.equals(headers.get(AUTHORIZATION))) {
          refused.add(call.getMethodDescriptor().getFullMethodName());
          call.close(Status.UNAUTHENTICATED.withDescription("Request unauthorized."), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        if (denied.contains(call.getMethodDescriptor().getFullMethodName())) {
          call.close(Status.PERMISSION_DENIED.withDescription("Request unauthorized."), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    }

    /** Every method name maps onto a byte-forwarding handler. */
    private final class Forwarding extends HandlerRegistry {
      @Override
      public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.newBuilder(BYTES, BYTES)
            .setFullMethodName(methodName)
            .setType(MethodDescriptor.MethodType.UNKNOWN)
            .build();
        return ServerMethodDefinition.create(method, this::forward);
      }

      private ServerCall.Listener<byte[]> forward(ServerCall<byte[], byte[]> call, Metadata headers) {
        forwarded.add(call.getMethodDescriptor().getFullMethodName());
        Deadline deadline = Context.current().getDeadline();
        CallOptions options = deadline == null
            ? CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)
            : CallOptions.DEFAULT.withDeadline(deadline);
        ClientCall<byte[], byte[]> out = upstream.newCall(call.getMethodDescriptor(), options);
        out.start(new ClientCall.Listener<>() {
          @Override
          public void onHeaders(Metadata responseHeaders) {
            call.sendHeaders(responseHeaders);
          }

          @Override
          public void onMessage(byte[] message) {
            call.sendMessage(message);
            out.request(1);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            call.close(status, trailers);
          }
        }, headers);
        out.request(1);
        call.request(1);
        return new ServerCall.Listener<>() {
          @Override
          public void onMessage(byte[] message) {
            out.sendMessage(message);
            call.request(1);
          }

          @Override
          public void onHalfClose() {
            out.halfClose();
          }

          @Override
          public void onCancel() {
            out.cancel("caller cancelled", null);
          }
        };
      }
    }
  }
}
