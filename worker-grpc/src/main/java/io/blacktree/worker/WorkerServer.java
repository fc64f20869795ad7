package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.blacktree.proto.worker.v1.WorkerGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server: the worker service, standard gRPC health (SERVING, for the server and for
 * {@code blacktree.worker.v1.Worker}, only while the Docker engine answers {@code ping}; checked every
 * 5 s), and keepalive (pings every 30 s, client pings allowed every 10 s). The credentials decide TLS/mTLS;
 * {@code auth}, when given, guards the Worker service only: the health service stays open (it answers
 * SERVING/NOT_SERVING and nothing else), so load balancers and probes need no token.
 */
final class WorkerServer implements AutoCloseable {
  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final DockerClient docker;
  private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "blacktree-health");
    t.setDaemon(true);
    return t;
  });

  /** A server on {@code host:port} (the caller has checked that the address may be served this way). */
  WorkerServer(String host, int port, ServerCredentials credentials, BindableService service,
      ServerInterceptor auth, DockerClient docker) {
    this.docker = docker;
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port), credentials)
        .addService(auth == null
            ? ServerInterceptors.intercept(service, new TraceContextServerInterceptor())
            : ServerInterceptors.intercept(service, new TraceContextServerInterceptor(), auth))
        .addService(health.getHealthService())
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .build();
  }

  void start() throws IOException {
    checkDocker();
    server.start();
    pinger.scheduleWithFixedDelay(this::checkDocker, 5, 5, TimeUnit.SECONDS);
  }

  /** The bound port (useful with port 0). */
  int port() {
    return server.getPort();
  }

  private void checkDocker() {
    ServingStatus status;
    try {
      docker.pingCmd().exec();
      status = ServingStatus.SERVING;
    } catch (RuntimeException e) {
      status = ServingStatus.NOT_SERVING;
    }
    health.setStatus("", status);
    health.setStatus(WorkerGrpc.SERVICE_NAME, status);
  }

  @Override
  public void close() {
    pinger.shutdownNow();
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
  }
}
