package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;

/**
 * Writes a build context as {@link ContextTar} into a pipe on its own thread, so that the engine reads it as a
 * chunked request body (no temp file). The build's end closes the reading side, which makes a writer still
 * blocked on a full pipe fail and end. A write failure (unreadable file, disk) is kept and wins over the
 * engine's report of the cut-short body ({@link #failureOr}).
 */
final class ContextTarWriter extends Thread {
  private static final int PIPE_BUFFER = 1 << 20;
  private final Path context;
  private final Path dockerfile;
  private final byte[] buildDockerfile;
  private final PipedOutputStream out;
  private volatile IOException failure;

  private ContextTarWriter(Path context, Path dockerfile, byte[] buildDockerfile, PipedOutputStream out) {
    super("blacktree-context-tar");
    setDaemon(true);
    this.context = context;
    this.dockerfile = dockerfile;
    this.buildDockerfile = buildDockerfile;
    this.out = out;
  }

  /**
   * Starts writing the tar of {@code context} (with {@code buildDockerfile} as the Dockerfile the engine reads
   * when not null, see {@link ContextTar}) and returns the pipe's reading side.
   */
  static Started start(Path context, Path dockerfile, byte[] buildDockerfile) throws JobFailure {
    PipedInputStream tar = new PipedInputStream(PIPE_BUFFER);
    ContextTarWriter writer;
    try {
      writer = new ContextTarWriter(context, dockerfile, buildDockerfile, new PipedOutputStream(tar));
    } catch (IOException e) {
      throw new JobFailure(ErrorKind.INTERNAL, "could not open the build context pipe", e);
    }
    writer.start();
    return new Started(writer, tar);
  }

  /** A running writer and the stream the engine reads. */
  record Started(ContextTarWriter writer, PipedInputStream tar) {}

  @Override
  public void run() {
    try (out) {
      ContextTar.write(context, dockerfile, buildDockerfile, out);
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      if (!m.contains("Pipe closed") && !m.contains("Read end dead") && !m.contains("Pipe broken")) {
        failure = e;
      }
    }
  }

  /** The writer's own failure as a job failure, else {@code other}. Waits briefly for the writer to end. */
  JobFailure failureOr(JobFailure other) {
    try {
      join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    IOException e = failure;
    if (e == null) {
      return other;
    }
    ErrorKind kind = ErrorClassifier.localIo(e);
    return new JobFailure(kind, "could not write the build context: " + e.getMessage(), e);
  }
}
