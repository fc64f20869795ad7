package io.blacktree.workflows;

import io.blacktree.activities.DispatchFailure;
import io.blacktree.activities.DispatchProgress;
import io.blacktree.core.ErrorKind;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;

/**
 * How one failed dispatch is classified: its {@link ErrorKind}, the worker it ran on, its message and
 * bounded logs, and whether the next attempt should re-attach to the same job on the same worker (the
 * orchestrator lost the activity, not the worker the job).
 */
record AttemptFailure(ErrorKind kind, String worker, String message, String logs, boolean reattach) {

  static AttemptFailure of(ActivityFailure failure) {
    Throwable cause = failure.getCause();
    if (cause instanceof ApplicationFailure app) {
      ErrorKind kind = ErrorKind.parse(app.getType());
      DispatchFailure details = details(app);
      if (details == null) {
        return new AttemptFailure(kind, null, app.getOriginalMessage(), "", false);
      }
      return new AttemptFailure(kind, details.worker(), details.message(), details.logs(), false);
    }
    if (cause instanceof TimeoutFailure timeout) {
      return ofTimeout(timeout);
    }
    String message = cause == null ? failure.getMessage() : cause.getMessage();
    return new AttemptFailure(ErrorKind.INTERNAL, null, message, "", false);
  }

  private static AttemptFailure ofTimeout(TimeoutFailure timeout) {
    TimeoutType type = timeout.getTimeoutType();
    if (type == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) {
      return new AttemptFailure(ErrorKind.NO_WORKER, null, "no free build worker within the queue TTL", "", false);
    }
    DispatchProgress last = lastProgress(timeout);
    String worker = last == null ? null : last.worker();
    String logs = last == null ? "" : String.join("\n", last.lastLines());
    if (type == TimeoutType.TIMEOUT_TYPE_HEARTBEAT) {
      return new AttemptFailure(ErrorKind.WORKER_LOST, worker,
          "dispatch stopped heartbeating (orchestrator lost); re-attaching", logs, worker != null);
    }
    return new AttemptFailure(ErrorKind.TIMED_OUT, worker, "dispatch " + type + " timeout", logs, false);
  }

  private static DispatchFailure details(ApplicationFailure app) {
    try {
      return app.getDetails().getSize() == 0 ? null : app.getDetails().get(DispatchFailure.class);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static DispatchProgress lastProgress(TimeoutFailure timeout) {
    try {
      var details = timeout.getLastHeartbeatDetails();
      return details == null || details.getSize() == 0 ? null : details.get(DispatchProgress.class);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
