package io.blacktree.e2e.faults;

import io.blacktree.e2e.support.ComponentProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition every 200 ms while a {@link FaultStack}'s components live: fails the test, with the tail of
 * each component's output, when the bound passes or a component exits.
 */
final class ComponentPoll implements EndStateCheck.Poll {
  private final Supplier<ComponentProcess[]> components;

  /** @param components the components now running (an entry may be null: not started yet) */
  ComponentPoll(Supplier<ComponentProcess[]> components) {
    this.components = components;
  }

  @Override
  public void awaitTrue(String what, Duration bound, BooleanSupplier condition) {
    Instant end = Instant.now().plus(bound);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("no " + what + " within " + bound + logs());
      }
      for (ComponentProcess p : components.get()) {
        if (p != null && !p.isAlive()) {
          throw new AssertionError("a component exited while waiting for " + what + logs());
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** The last 3000 characters of each component's output. */
  String logs() {
    return ComponentProcess.tails(Arrays.asList(components.get()), 3000);
  }
}
