package io.blacktree.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a started deployable running until the JVM is asked to stop (SIGTERM, Ctrl-C), then closes it. */
final class Foreground {
  private Foreground() {}

  static int runUntilStopped(AutoCloseable app, String name) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      try {
        app.close();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(Foreground.class).warn("closing {} failed: {}", name, e.toString());
      } finally {
        stopped.countDown();
      }
    }, "blacktree-" + name + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stopped.await();
    return ExitCode.OK;
  }
}
