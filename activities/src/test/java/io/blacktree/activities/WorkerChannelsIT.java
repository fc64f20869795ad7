package io.blacktree.activities;

import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.tls.TestPki;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator's channels to a worker that requires a client certificate of its CA and a bearer token
 * (a scripted Worker on a real TLS port, CA and certificates made by openssl at test time).
 */
class WorkerChannelsIT {
  @TempDir Path dir;

  @Test
  void pool_mtlsAndToken_workerHealthyOnlyWithBoth() throws Exception {
    ServiceRequirement.requireThat(TestPki.opensslAvailable(), "the openssl CLI");
    TestPki pki = TestPki.create(dir, "ca");
    TestPki.Leaf server = pki.issue("worker");
    TestPki.Leaf client = pki.issue("orchestrator");
    Path token = dir.resolve("token");
    Files.writeString(token, "link-token-42\n", StandardCharsets.UTF_8);
    List<String> seen = new CopyOnWriteArrayList<>();
    Metadata.Key<String> auth = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    ServerInterceptor check = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata h,
          ServerCallHandler<Q, R> next) {
        seen.add(String.valueOf(h.get(auth)));
        if (!"Bearer link-token-42".equals(h.get(auth))) {
          call.close(Status.UNAUTHENTICATED, new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, h);
      }
    };
    try (FakeWorker fake = new FakeWorker()) {
      Server tls = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
              TlsServerCredentials.newBuilder().keyManager(server.cert().toFile(), server.key().toFile())
                  .trustManager(pki.caCert.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build())
          .addService(ServerInterceptors.intercept(fake, check)).build().start();
      try {
        String address = "localhost:" + tls.getPort();
        WorkerChannels full = new WorkerChannels(
            new WorkerChannels.Settings(pki.caCert, client.cert(), client.key(), token, false), Map.of());
        WorkerChannels noToken = new WorkerChannels(
            new WorkerChannels.Settings(pki.caCert, client.cert(), client.key(), null, false), Map.of());
        WorkerChannels noCert = new WorkerChannels(
            new WorkerChannels.Settings(pki.caCert, null, null, token, false), Map.of());
        WorkerChannels plain = new WorkerChannels(WorkerChannels.Settings.none(), Map.of(
            WorkerChannels.TOKEN_ENV, "link-token-42"));

        assertThat(capacity(full, address)).isEqualTo(1);
        assertThat(seen).contains("Bearer link-token-42");
        assertThat(capacity(noToken, address)).isZero();
        assertThat(seen).contains("null");
        assertThat(capacity(noCert, address)).isZero();
        assertThat(capacity(plain, address)).isZero();
      } finally {
        tls.shutdownNow();
      }
    }
  }

  private static int capacity(WorkerChannels channels, String address) {
    var channel = channels.open(address);
    try (WorkerPool pool = new WorkerPool(List.of(new WorkerPool.WorkerEndpoint(address, channel)),
        Duration.ofMinutes(10), Duration.ofSeconds(5))) {
      pool.start();
      return pool.capacity();
    } finally {
      channel.shutdownNow();
    }
  }
}
