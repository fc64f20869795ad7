package io.blacktree.worker;

import io.blacktree.core.SecretRedactor;
import io.blacktree.worker.JobFailure.Stopped;
import java.time.Instant;

/**
 * What a step may do with the job it works for, and no more: write to the job's log, see whether the job was
 * stopped (cancel, time limit, orphan), register what stops its running engine call, read the deadline, and
 * tell the job's redactor a secret it obtained. The job's request is not here: a step gets its {@link JobSpec}.
 */
interface StepControl {
  /** Adds output (one or more lines) to the job's log; every line is redacted. */
  void log(String text);

  boolean isStopped();

  /** The stop as a failure, or null while the job may go on. */
  Stopped stopped();

  /** Throws the job's {@link Stopped} failure if it was stopped. */
  default void checkStopped() throws Stopped {
    Stopped s = stopped();
    if (s != null) {
      throw s;
    }
  }

  /**
   * What closes the running engine call when the job is stopped; closed at once if it already is. Null clears
   * it (a step clears what it set before it returns).
   */
  void setStopHook(AutoCloseable hook);

  /** When the job's time limit ends. */
  Instant deadline();

  /** The job's redactor: a step that obtains a secret (a registry password) tells it before using it. */
  SecretRedactor redactor();
}
