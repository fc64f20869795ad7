package io.blacktree.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * One attempt of a job, read from workflow history (a dispatch activity's scheduled event and its outcome).
 *
 * @param outcome   RUNNING, SUCCEEDED, FAILED, TIMED_OUT or CANCELLED
 * @param errorKind the {@code ApplicationFailure} type, null unless it failed
 * @param logs      the attempt's bounded logs as recorded in history
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Attempt(
    @JsonProperty("attempt") int number,
    @JsonProperty("outcome") String outcome,
    @JsonProperty("worker") String worker,
    @JsonProperty("error_kind") String errorKind,
    @JsonProperty("message") String message,
    @JsonProperty("scheduled") Instant scheduled,
    @JsonProperty("closed") Instant closed,
    @JsonProperty("logs") String logs) {

  static final String RUNNING = "RUNNING";

  Attempt closedWith(String newOutcome, String newWorker, String kind, String newMessage, Instant at,
      String newLogs) {
    return new Attempt(number, newOutcome, newWorker == null ? worker : newWorker, kind, newMessage, scheduled,
        at, newLogs);
  }
}
