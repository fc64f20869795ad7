package io.blacktree.activities;

import io.grpc.ManagedChannel;

/** One dispatch's claim on one build worker; closing it hands the worker back to the pool. */
public final class WorkerLease implements AutoCloseable {
  private final WorkerPool pool;
  private final String address;
  private final ManagedChannel channel;
  private volatile boolean answered;

  WorkerLease(WorkerPool pool, String address, ManagedChannel channel) {
    this.pool = pool;
    this.address = address;
    this.channel = channel;
  }

  public String address() {
    return address;
  }

  ManagedChannel channel() {
    return channel;
  }

  /** The worker could not be reached: keep the pool from offering it. */
  void markUnhealthy() {
    pool.markUnhealthy(address);
  }

  /**
   * The worker answered RunJob with its final response: it released its job lock before answering, so it is
   * FREE again and the pool may offer it at once instead of after its next status check.
   */
  void markAnswered() {
    answered = true;
  }

  @Override
  public void close() {
    pool.release(address, answered);
  }
}
