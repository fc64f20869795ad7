package io.blacktree.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a job's first dispatch went against the build host that last built its repository (docs/workflow.md,
 * cache affinity): that host's git mirror and layer cache are warm, so the job is offered to it first.
 *
 * @param outcome       {@code hit}: that host took the job; {@code miss}: it did not within the affinity wait (busy,
 *                      or gone) and the job went to any free host; {@code none}: no host had built the repository,
 *                      or affinity is off
 * @param preferredHost the host that last built the repository; null for {@code none}
 * @param host          the build host the job ran on (its last attempt); null when it reached none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Affinity(
    @JsonProperty("outcome") Outcome outcome,
    @JsonProperty("preferred_host") String preferredHost,
    @JsonProperty("host") String host) {

  /** What happened to the affinity host's offer; the wire value is the lowercase name. */
  public enum Outcome {
    HIT, MISS, NONE;

    @JsonValue
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #value()} (any case); null for null. */
    @JsonCreator
    public static Outcome parse(String value) {
      return value == null ? null : valueOf(value.toUpperCase(Locale.ROOT));
    }
  }

  /** One line for people: {@code hit (host-a)}, {@code miss (wanted host-a, ran on host-b)}, {@code none}. */
  public String describe() {
    return switch (outcome) {
      case HIT -> "hit (" + preferredHost + ")";
      case MISS -> "miss (wanted " + preferredHost + (host == null ? ")" : ", ran on " + host + ")");
      case NONE -> "none" + (host == null ? "" : " (ran on " + host + ")");
    };
  }
}
