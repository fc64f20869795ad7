package io.blacktree.worker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks each job's builder ({@code --builder}): {@code buildkit} always BuildKit, {@code engine} always the
 * engine's classic builder, {@code auto} (the default) BuildKit when its address accepts a connection at the
 * job's start, else the engine, with a line in the job's log (and, on each change, the worker's log) saying
 * why. A connect costs well under a millisecond, so buildkitd started or stopped beside a running worker is
 * noticed at the next job.
 */
final class BuilderChoice {
  private static final Logger LOG = LoggerFactory.getLogger(BuilderChoice.class);
  private static final int CONNECT_TIMEOUT_MILLIS = 1000;
  private final BuilderSettings.Mode mode;
  private final EngineBuilder engine;
  private final BuildKitBuilder buildkit;
  private final String buildkitAddr;
  private volatile Boolean lastReachable;

  BuilderChoice(BuilderSettings.Mode mode, EngineBuilder engine, BuildKitBuilder buildkit, String buildkitAddr) {
    this.mode = mode;
    this.engine = engine;
    this.buildkit = buildkit;
    this.buildkitAddr = buildkitAddr;
  }

  /** The builder for the next job; {@code jobLog} hears why when {@code auto} falls back to the engine. */
  ImageBuilder forJob(Consumer<String> jobLog) {
    return switch (mode) {
      case ENGINE -> engine;
      case BUILDKIT -> buildkit;
      case AUTO -> auto(jobLog);
    };
  }

  private ImageBuilder auto(Consumer<String> jobLog) {
    String problem = unreachable(buildkitAddr);
    boolean reachable = problem == null;
    if (!Boolean.valueOf(reachable).equals(lastReachable)) {
      lastReachable = reachable;
      if (reachable) {
        LOG.info("builder auto: buildkitd answers at {}; building with BuildKit", buildkitAddr);
      } else {
        LOG.warn("builder auto: no buildkitd at {} ({}); building with the engine's classic builder", buildkitAddr,
            problem);
      }
    }
    if (reachable) {
      return buildkit;
    }
    jobLog.accept("builder: engine (classic builder), because no buildkitd answers at " + buildkitAddr + " (" + problem
        + "); BuildKit-only Dockerfile features will fail");
    return engine;
  }

  /** Null when {@code addr} ({@code unix:///path} or {@code tcp://host:port}) accepts a connection, else why not. */
  static String unreachable(String addr) {
    try {
      URI uri = URI.create(addr);
      if ("unix".equals(uri.getScheme())) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          ch.connect(UnixDomainSocketAddress.of(Path.of(uri.getPath())));
        }
      } else if ("tcp".equals(uri.getScheme())) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), CONNECT_TIMEOUT_MILLIS);
        }
      } else {
        return "unsupported address scheme '" + uri.getScheme() + "'";
      }
      return null;
    } catch (IOException | IllegalArgumentException e) {
      return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
  }
}
