package io.blacktree.worker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.ResponseItem;
import java.io.IOException;

/**
 * A stream of the engine's answers (a build's, a push's) that keeps what went wrong: the error an item reports,
 * which docker-java would otherwise pass over, and the stream's own failure, which closes it. It never logs an
 * error itself (docker-java would, at ERROR): the step that reads it decides.
 */
abstract class EngineStream<T extends ResponseItem> extends ResultCallback.Adapter<T> {
  private volatile String errorMessage;
  private volatile Throwable error;

  /** Keeps {@code item}'s error message when it reports one, and says whether it did. */
  protected final boolean keptError(ResponseItem item) {
    if (!item.isErrorIndicated()) {
      return false;
    }
    errorMessage = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
        ? item.getErrorDetail().getMessage() : item.getError();
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
