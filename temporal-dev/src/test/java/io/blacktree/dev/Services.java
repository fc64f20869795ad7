package io.blacktree.dev;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;

/** With CI=true a missing service fails the test; elsewhere the test is skipped. */
final class Services {
  private Services() {}

  static void require(boolean available, String what) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      if (!available) {
        throw new AssertionError(what + " is not available (CI=true: a missing service is a failure)");
      }
    } else {
      assumeTrue(available, what + " is not available");
    }
  }

  static void requireTemporal() {
    require(TemporalProbe.answers("127.0.0.1:7233", Duration.ofSeconds(5)), "Temporal dev server on 127.0.0.1:7233");
  }
}
