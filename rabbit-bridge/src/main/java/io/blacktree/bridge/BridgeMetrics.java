package io.blacktree.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The bridge's counters, registered in the registry the app is given:
 * {@code blacktree.bridge.received}, {@code .started}, {@code .duplicate}, {@code .dead_lettered},
 * {@code .start_failures} (every failed start: transient ones that held the queue and refused ones); with
 * Prometheus names {@code blacktree_bridge_received_total} etc. The consumer lag gauge is {@link ConsumerLag}.
 */
public final class BridgeMetrics {
  final Counter received;
  final Counter started;
  final Counter duplicate;
  final Counter deadLettered;
  final Counter startFailures;

  public BridgeMetrics(MeterRegistry registry) {
    this.received = counter(registry, "received", "messages taken from the build queue");
    this.started = counter(registry, "started", "DeployJob workflows started");
    this.duplicate = counter(registry, "duplicate", "requests whose workflow already existed");
    this.deadLettered = counter(registry, "dead_lettered", "messages published to the dead-letter queue");
    this.startFailures = counter(registry, "start_failures", "workflow starts that failed");
  }

  private static Counter counter(MeterRegistry registry, String name, String description) {
    return Counter.builder("blacktree.bridge." + name).description(description).register(registry);
  }

  public double received() {
    return received.count();
  }

  public double started() {
    return started.count();
  }

  public double duplicate() {
    return duplicate.count();
  }

  public double deadLettered() {
    return deadLettered.count();
  }

  public double startFailures() {
    return startFailures.count();
  }
}
