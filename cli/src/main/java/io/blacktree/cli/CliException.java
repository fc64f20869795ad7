package io.blacktree.cli;

/** A command could not do its work; carries the exit code and a one-line message for the user. */
public class CliException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** Bad input from the user (exit 2). */
  public static CliException badInput(String message) {
    return new CliException(ExitCode.USAGE, message);
  }

  /** A service could not be reached (exit 3). */
  public static CliException unreachable(String message, Throwable cause) {
    return new CliException(ExitCode.UNREACHABLE, message, cause);
  }
}
