package io.blacktree.worker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.ResponseItem;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * A stream of the engine's answers (a build's, a push's) read into the job's log, that keeps what went wrong:
 * the error an item reports, which docker-java would otherwise pass over, and the stream's own failure, which
 * closes it. It never logs a failure through docker-java (which would, at ERROR): the step that reads it decides.
 */
abstract class EngineStream<T extends ResponseItem> extends ResultCallback.Adapter<T> {
  private final Consumer<String> log;
  private volatile String errorMessage;
  private volatile Throwable error;

  /** {@code log} takes the lines meant for the job's log. */
  EngineStream(Consumer<String> log) {
    this.log = log;
  }

  /** A line for the job's log. */
  protected final void log(String line) {
    log.accept(line);
  }

  /**
   * Keeps {@code item}'s error message when it reports one, logging it after {@code prefix}, and says whether it
   * did.
   */
  protected final boolean keptError(ResponseItem item, String prefix) {
    if (!item.isErrorIndicated()) {
      return false;
    }
    errorMessage = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
        ? item.getErrorDetail().getMessage() : item.getError();
    log(prefix + errorMessage);
    return true;
  }

  @Override
  public void onError(Throwable throwable) {
    error = throwable;
    try {
      close();
    } catch (IOException ignored) {
      // closing a failed stream
    }
  }

  /** The error an item reported, or null. */
  final String errorMessage() {
    return errorMessage;
  }

  /** The stream's own failure, or null. */
  final Throwable error() {
    return error;
  }
}
