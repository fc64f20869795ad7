package io.blacktree.worker;

import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.tls.TestPki;
import static io.blacktree.worker.WorkerFixture.app;
import static io.blacktree.worker.WorkerFixture.request;
import static io.blacktree.worker.WorkerFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.blacktree.proto.worker.v1.GetStatusRequest;
import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import io.blacktree.proto.worker.v1.WorkerState;
import io.blacktree.testsupport.git.GitDaemonServer;
import io.blacktree.testsupport.git.GitRepos;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator link of a worker started with {@code --tls-cert --tls-key --tls-client-ca --auth-token-file}:
 * a CA and certificates made at test time with openssl; only a client with a certificate of that CA and the
 * token gets through; the token never reaches the worker's logs.
 */
class WorkerLinkSecurityIT {
  private static final String TOKEN = "canary-link-token-" + UUID.randomUUID();
  @TempDir static Path dir;
  static TestPki pki;
  static TestPki.Leaf client;
  static GitRepos repos;
  static GitDaemonServer daemon;
  static WorkerApp worker;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  static final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    ServiceRequirement.requireThat(TestPki.opensslAvailable(), "the openssl CLI");
    pki = TestPki.create(dir, "good");
    TestPki.Leaf server = pki.issue("worker");
    client = pki.issue("orchestrator");
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, TOKEN + "\n", StandardCharsets.UTF_8);
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    repos = WorkerFixture.repos(dir);
    daemon = GitDaemonServer.start(repos.baseDir());
    WorkerConfig config = WorkerFixture.config(dir.resolve("w"), daemon.baseUrl())
        .tlsCert(server.cert()).tlsKey(server.key()).tlsClientCa(pki.caCert).authTokenFile(tokenFile).build();
    worker = new WorkerApp(config, WorkerApp.dockerClient(config.dockerHost()),
        new NoLogin(WorkerFixture.OPEN_REGISTRY), WorkerFixture.gitToken(null), Map.of(), JobObserver.NONE);
    worker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    if (worker != null) {
      worker.close();
    }
    if (daemon != null) {
      daemon.close();
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  @Test
  void getStatus_plaintextClient_failsWithoutAnswer() {
    StatusRuntimeException e = getStatusFails(InsecureChannelCredentials.create(), TOKEN);
    assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.INTERNAL, Status.Code.UNKNOWN);
  }

  @Test
  void getStatus_clientCertFromAnotherCa_handshakeRefused() throws Exception {
    TestPki other = TestPki.create(dir, "other");
    TestPki.Leaf stranger = other.issue("stranger");
    ChannelCredentials creds = TlsChannelCredentials.newBuilder().trustManager(pki.caCert.toFile())
        .keyManager(stranger.cert().toFile(), stranger.key().toFile()).build();
    assertThat(getStatusFails(creds, TOKEN).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void getStatus_noClientCert_handshakeRefused() throws Exception {
    ChannelCredentials creds = TlsChannelCredentials.newBuilder().trustManager(pki.caCert.toFile()).build();
    assertThat(getStatusFails(creds, TOKEN).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void getStatus_missingOrWrongToken_unauthenticatedAndTokenNeverLogged() throws Exception {
    assertThat(getStatusFails(goodCreds(), null).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    StatusRuntimeException wrong = getStatusFails(goodCreds(), TOKEN + "x");
    assertThat(wrong.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(wrong.getMessage()).doesNotContain(TOKEN);
    // health stays open without a token (it tells SERVING/NOT_SERVING only)
    HealthCheckResponse health = HealthGrpc.newBlockingStub(channel(goodCreds(), null))
        .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
    assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines).anyMatch(l -> l.contains("refused") && l.contains("bearer token"));
    assertThat(String.join("\n", lines)).doesNotContain(TOKEN);
  }

  @Test
  void runJob_rightCertAndToken_statusAndBuildSucceed() throws Exception {
    WorkerGrpc.WorkerBlockingStub stub = WorkerGrpc.newBlockingStub(channel(goodCreds(), TOKEN));
    assertThat(stub.withDeadlineAfter(10, TimeUnit.SECONDS).getStatus(GetStatusRequest.getDefaultInstance())
        .getState()).isEqualTo(WorkerState.FREE);
    String repo = unique("tls");
    repos.create(repo, "main", app("hello over mTLS " + repo));

    JobResponse r = stub.withDeadlineAfter(300, TimeUnit.SECONDS).runJob(request(repo, "main", "v1").build());

    assertThat(r.getStatus()).as(r.getErrorMessage() + "\n" + r.getLogs()).isEqualTo(JobResponse.Status.SUCCESS);
    assertThat(r.toString()).doesNotContain(TOKEN);
    assertThat(logs.list.stream().map(ILoggingEvent::getFormattedMessage)).noneMatch(l -> l.contains(TOKEN));
  }

  private static ChannelCredentials goodCreds() throws Exception {
    return TlsChannelCredentials.newBuilder().trustManager(pki.caCert.toFile())
        .keyManager(client.cert().toFile(), client.key().toFile()).build();
  }

  private static StatusRuntimeException getStatusFails(ChannelCredentials creds, String token) {
    return catchThrowableOfType(() -> WorkerGrpc.newBlockingStub(channel(creds, token))
        .withDeadlineAfter(10, TimeUnit.SECONDS).getStatus(GetStatusRequest.getDefaultInstance()),
        StatusRuntimeException.class);
  }

  private static ManagedChannel channel(ChannelCredentials creds, String token) {
    NettyChannelBuilder b = NettyChannelBuilder.forTarget("localhost:" + worker.port(), creds);
    if (token != null) {
      b.intercept(bearer(token));
    }
    ManagedChannel c = b.build();
    channels.add(c);
    return c;
  }

  private static ClientInterceptor bearer(String token) {
    Metadata.Key<String> auth = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> m, CallOptions o, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(m, o)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            headers.put(auth, "Bearer " + token);
            super.start(listener, headers);
          }
        };
      }
    };
  }
}
