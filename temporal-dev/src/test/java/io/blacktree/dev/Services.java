package io.blacktree.dev;

import io.blacktree.core.Defaults;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * This module's prerequisites. A missing one fails the test with {@code CI=true} and skips it otherwise, as
 * test-support's {@code ServiceRequirement} does for the other modules (test-support builds on this module, so
 * its tests cannot use it).
 */
final class Services {
  private Services() {}

  static void require(boolean available, String what) {
    if (available) {
      return;
    }
    String message = what + " is not available. Install and start the local services with `scripts/services start`.";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and a required prerequisite is missing: " + message);
    }
    Assumptions.abort(message);
  }

  /** The Temporal dev server {@code scripts/services} starts answers where it listens by default. */
  static void requireTemporal() {
    require(TemporalProbe.answers(Defaults.TEMPORAL_TARGET, Duration.ofSeconds(3)),
        "Temporal dev server at " + Defaults.TEMPORAL_TARGET);
  }
}
