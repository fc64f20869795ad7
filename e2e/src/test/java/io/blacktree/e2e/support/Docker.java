package io.blacktree.e2e.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a user checks with the {@code docker} CLI: the image runs; no build container is left. */
public final class Docker {
  private Docker() {}

  /** Pulls nothing: runs {@code image} (already local after the worker's build) and returns its output, trimmed. */
  public static String runImage(String image) throws IOException, InterruptedException {
    return docker("run", "--rm", "--network=none", image).trim();
  }

  /** Containers (any state) whose command contains {@code marker}. */
  public static List<String> containersWith(String marker) throws IOException, InterruptedException {
    return docker("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}").lines()
        .filter(l -> l.contains(marker)).toList();
  }

  public static void awaitContainer(String marker, Duration bound) throws IOException, InterruptedException {
    Instant end = Instant.now().plus(bound);
    while (containersWith(marker).isEmpty()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("no container running '" + marker + "' within " + bound);
      }
      Thread.sleep(200);
    }
  }

  public static void awaitNoContainer(String marker, Duration bound) throws IOException, InterruptedException {
    Instant end = Instant.now().plus(bound);
    List<String> left;
    while (!(left = containersWith(marker)).isEmpty()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("containers still there after " + bound + ": " + left);
      }
      Thread.sleep(200);
    }
  }

  /**
   * Runs the docker CLI with {@code args} (up to 120 s) and returns its output; a failure, a time-out or an
   * interrupt is an {@link IllegalStateException} naming the command and its output.
   */
  public static String cli(String... args) {
    try {
      return docker(args);
    } catch (IOException | AssertionError e) {
      throw new IllegalStateException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: docker " + String.join(" ", args), e);
    }
  }

  static String docker(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("docker"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("docker " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }
}
