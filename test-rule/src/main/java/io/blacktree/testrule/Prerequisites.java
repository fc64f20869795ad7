package io.blacktree.testrule;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when something it needs (a local service, a binary, a tool) is missing: with {@code CI=true}
 * it FAILS with a message naming what is missing and how to get it; elsewhere it is skipped (a JUnit
 * assumption), so that a developer without the services can still run the unit tests. The one place that
 * decides fail or skip, below both test-support (whose {@code ServiceRequirement} probes the services) and
 * temporal-dev (whose tests test-support cannot serve, since test-support builds on temporal-dev).
 */
public final class Prerequisites {
  private Prerequisites() {}

  /** Whether this run is CI's: the environment has {@code CI=true}. */
  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * Fails (CI) or skips (elsewhere) the test when {@code available} is false; {@code what} names the
   * prerequisite, e.g. "docker-compose".
   */
  public static void require(boolean available, String what) {
    if (!available) {
      unmet(inCi(), "prerequisite is missing",
          what + " is not available. Install and start the local services with `scripts/services start`.");
    }
  }

  /**
   * Ends the test for a missing prerequisite: with {@code ci} an {@link AssertionError}
   * {@code "CI=true and a required <condition>: <message>"}, else a skip with {@code message}.
   */
  public static void unmet(boolean ci, String condition, String message) {
    if (ci) {
      throw new AssertionError("CI=true and a required " + condition + ": " + message);
    }
    Assumptions.abort(message);
  }
}
