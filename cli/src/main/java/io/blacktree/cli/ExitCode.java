package io.blacktree.cli;

/** The exit codes of every command (docs/architecture.md, the command line). */
public final class ExitCode {
  public static final int OK = 0;
  /** The job failed (or was cancelled, or timed out). */
  public static final int JOB_FAILED = 1;
  /** Usage error or bad input (including a request the bridge rejected). */
  public static final int USAGE = 2;
  /** Temporal, RabbitMQ or another service could not be reached. */
  public static final int UNREACHABLE = 3;

  private ExitCode() {}
}
