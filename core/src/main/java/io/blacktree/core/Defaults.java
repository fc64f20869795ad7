package io.blacktree.core;

import java.time.Duration;

/**
 * Defaults that more than one component applies: where Temporal and RabbitMQ are when nothing says otherwise,
 * and the job time limit both the orchestrator (RunJob deadline) and the worker (its own stop) enforce.
 * A component's own defaults live in its config's builder.
 */
public final class Defaults {
  /** The Temporal frontend, {@code host:port}. */
  public static final String TEMPORAL_TARGET = "127.0.0.1:7233";
  /** The Temporal namespace. */
  public static final String NAMESPACE = "default";
  /** The RabbitMQ URL (the broker's stock guest user, which RabbitMQ admits on loopback only). */
  public static final String AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";
  /** How long one job may run; a request may only lower it. */
  public static final Duration JOB_TIME_LIMIT = Duration.ofMinutes(30);

  private Defaults() {}
}
