package io.blacktree.e2e.soak;

/**
 * {@code scripts/soak}: the whole pipeline (bridge, orchestrator, build workers as real processes on private
 * Temporal, RabbitMQ and dockerd) fed a mix of valid, invalid and duplicate requests while faults are injected
 * at random, then reconciled; writes RELIABILITY.md's report section and the plot. Not a test: CI never runs
 * it. Exit code 0 when nothing was lost, duplicated or left over.
 */
public final class SoakMain {
  private SoakMain() {}

  public static void main(String[] args) throws Exception {
    SoakOptions options;
    try {
      options = SoakOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("soak: " + e.getMessage());
      System.err.println("usage: scripts/soak [--mode single|cluster] [--jobs N] [--duration 30m] [--workers W] [--seed S] "
          + "[--fault-gap 60s]");
      System.exit(2);
      return;
    }
    int code = new SoakRun(options).run();
    System.exit(code);
  }
}
