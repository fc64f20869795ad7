package io.blacktree.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.time.Duration;

/**
 * Builds docker-java clients on the zerodep transport (shaded, so it does not clash with the AWS SDK's
 * httpclient). The API version is left to the daemon: dockerd 20.10 speaks 1.41 and rejects newer ones.
 */
public final class DockerClients {
  private DockerClients() {}

  /** A client for the environment's engine ({@link ServiceEndpoints#dockerHost()}). */
  public static DockerClient fromEnvironment() {
    return connect(ServiceEndpoints.fromEnvironment().dockerHost());
  }

  /** A client for {@code dockerHost}, e.g. {@code unix:///var/run/docker.sock}. Close it when done. */
  public static DockerClient connect(String dockerHost) {
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(dockerHost)
        .build();
    DockerHttpClient http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(32)
        .connectionTimeout(Duration.ofSeconds(10))
        .build();
    return DockerClientImpl.getInstance(config, http);
  }
}
