package io.blacktree.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The step a job is in, as the pipeline shows it: the {@code BlacktreeStep} search attribute, the step
 * signal, the {@code progress} query and the dispatch heartbeat (docs/workflow.md, search attributes).
 * Its value on the wire and in visibility is the lowercase name ({@code queued}, {@code cloning}, ...), the
 * same text recorded histories hold. The worker's finer proto steps fold into these five.
 */
public enum JobStep {
  QUEUED,
  CLONING,
  BUILDING,
  /** Logging in to the registry and pushing. */
  PUSHING,
  /** Cleaning up, or finished. */
  DONE;

  /** The wire value: {@code queued}, {@code cloning}, {@code building}, {@code pushing}, {@code done}. */
  @JsonValue
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The step of a wire value; null for null or a value this version does not know. */
  @JsonCreator
  public static JobStep fromValue(String value) {
    if (value == null) {
      return null;
    }
    for (JobStep step : values()) {
      if (step.value().equals(value)) {
        return step;
      }
    }
    return null;
  }
}
