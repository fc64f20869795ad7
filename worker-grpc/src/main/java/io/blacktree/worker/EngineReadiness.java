package io.blacktree.worker;

import com.github.dockerjava.api.DockerClient;
import io.blacktree.core.Readiness;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Ready when the Docker engine answers a ping within {@value #TIMEOUT_SECONDS} s. */
final class EngineReadiness implements Readiness {
  static final int TIMEOUT_SECONDS = 3;
  private final DockerClient docker;

  EngineReadiness(DockerClient docker) {
    this.docker = docker;
  }

  @Override
  public Status check() {
    CompletableFuture<Void> ping = CompletableFuture.runAsync(() -> docker.pingCmd().exec());
    try {
      ping.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return Status.ok();
    } catch (TimeoutException e) {
      ping.cancel(true);
      return Status.failing("docker: no answer within " + TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      return Status.failing("docker: " + e.getCause().getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Status.failing("docker: interrupted");
    }
  }
}
