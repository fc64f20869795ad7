package io.blacktree.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link ChildMain} (orchestrator or bridge) with the harness's classpath: waits for
 * {@code ready}, follows its heap samples and bridge start counts, reads RSS from /proc/&lt;pid&gt;/status.
 */
final class ChildProcess implements AutoCloseable {
  /** Bridge start counter sample: workflows started (and duplicates) at a wall-clock time. */
  record StartSample(long started, long duplicates, long atMillis) {}

  private final String name;
  private final Process process;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final List<StartSample> starts = new CopyOnWriteArrayList<>();
  private volatile long maxHeapUsed;
  private volatile long maxHeapCommitted;
  private volatile long maxRss;

  ChildProcess(String name, List<String> args, Path log) throws IOException {
    this.name = name;
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String opts = System.getProperty("bench.childJvmOpts", "");
    if (!opts.isBlank()) {
      cmd.addAll(List.of(opts.trim().split("\\s+")));
    }
    // the bench's own logging config: the cli jar on the classpath brings a logback.xml of its own
    cmd.add("-Dlogback.configurationFile=bench-logback.xml");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ChildMain.class.getName());
    cmd.addAll(args);
    this.process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    Thread reader = new Thread(this::read, "bench-child-" + name);
    reader.setDaemon(true);
    reader.start();
    Thread rss = new Thread(this::sampleRss, "bench-rss-" + name);
    rss.setDaemon(true);
    rss.start();
  }

  void awaitReady(long seconds) throws InterruptedException {
    if (!ready.await(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " did not start within " + seconds + " s (see its log)");
    }
  }

  long pid() {
    return process.pid();
  }

  long maxHeapUsed() {
    return maxHeapUsed;
  }

  long maxHeapCommitted() {
    return maxHeapCommitted;
  }

  /** The highest RSS sampled (every 200 ms) and the kernel's own peak (VmHWM), whichever is larger. */
  long maxRss() {
    return Math.max(maxRss, procKb("VmHWM:") * 1024);
  }

  long rssNow() {
    return procKb("VmRSS:") * 1024;
  }

  List<StartSample> starts() {
    return List.copyOf(starts);
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.equals("ready")) {
          ready.countDown();
        } else if (line.startsWith("heap ")) {
          String[] p = line.split(" ");
          maxHeapUsed = Math.max(maxHeapUsed, Long.parseLong(p[1]));
          maxHeapCommitted = Math.max(maxHeapCommitted, Long.parseLong(p[2]));
        } else if (line.startsWith("started ")) {
          String[] p = line.split(" ");
          starts.add(new StartSample(Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3])));
        }
      }
    } catch (IOException e) {
      // child gone
    }
  }

  private void sampleRss() {
    while (process.isAlive()) {
      maxRss = Math.max(maxRss, rssNow());
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private long procKb(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // process gone
    }
    return 0;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(40, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
