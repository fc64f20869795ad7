package io.blacktree.e2e.support;

import io.blacktree.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code blacktree <args>} in this JVM, the way a user types it, and captures exit code, stdout and stderr.
 * Connection flags of the stack ({@code --temporal}, {@code --namespace}) are passed as the
 * {@code BLACKTREE_*} environment variables the CLI reads, so the arguments read like the user's.
 */
public final class Cli {
  /** What one command printed and returned. */
  public record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final Map<String, String> env;

  public Cli(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public Result run(String... args) {
    return run(List.of(args));
  }

  public Result run(List<String> args) {
    CommandLine cli = Main.newCommandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(new ArrayList<>(args).toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }
}
