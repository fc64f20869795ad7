package io.blacktree.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowNotFoundException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine.Spec;

/**
 * {@code blacktree}: the one distribution. Exit codes: 0 ok, 1 the job failed, 2 usage or bad input,
 * 3 infrastructure unreachable. Every flag also reads {@code BLACKTREE_<FLAG>}; flags win.
 */
@Command(name = "blacktree", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Blacktree deploy pipeline: RabbitMQ request -> Temporal workflow -> build worker -> image.",
    subcommands = {
        WorkerCommand.class,
        OrchestratorCommand.class,
        BridgeCommand.class,
        DevCommand.class,
        SetupCommand.class,
        SubmitCommand.class,
        JobsCommand.class,
        ReplayCommand.class,
        VerifyCommand.class,
        CommandLine.HelpCommand.class
    },
    footer = {"", "Every flag also reads an environment variable BLACKTREE_<FLAG> (e.g. --temporal: "
        + "BLACKTREE_TEMPORAL); flags win.",
        "Exit codes: 0 ok, 1 job failed, 2 usage or bad input, 3 infrastructure unreachable."})
public final class Main implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command");
  }

  public static void main(String[] args) {
    System.exit(newCommandLine(System.getenv()).execute(args));
  }

  /** The fully wired command line: env defaults, short usage on bad flags, exit codes by failure. */
  public static CommandLine newCommandLine(Map<String, String> env) {
    CommandLine cli = new CommandLine(new Main());
    cli.setDefaultValueProvider(new EnvDefaultProvider(env));
    cli.setParameterExceptionHandler(Main::onBadUsage);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> onFailure(e, commandLine.getErr()));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionStrategy(Main::refuseUnmatchedThenRun);
    return cli;
  }

  /**
   * Picocli drops its unmatched-argument error when a help option is also given, so
   * {@code blacktree nosuchcommand --help} would print the top-level help and exit 0. An argument no
   * command knows is a usage error whatever else is on the line.
   */
  private static int refuseUnmatchedThenRun(ParseResult parsed) {
    for (ParseResult level = parsed; level != null; level = level.subcommand()) {
      if (!level.unmatched().isEmpty()) {
        throw new UnmatchedArgumentException(level.commandSpec().commandLine(), level.unmatched());
      }
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  private static int onBadUsage(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("blacktree: " + e.getMessage());
    err.print("Usage: " + cmd.getHelp().synopsis(0));
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return ExitCode.USAGE;
  }

  private static int onFailure(Exception e, PrintWriter err) {
    int code = exitCodeOf(e);
    err.println("blacktree: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    err.flush();
    log.debug("command failed", e);
    return code;
  }

  /** Maps a failure to an exit code: ours carry one; unreachable services are 3; unknown jobs are 2. */
  static int exitCodeOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CliException cli) {
        return cli.exitCode();
      }
      if (t instanceof WorkflowNotFoundException) {
        return ExitCode.USAGE;
      }
      if (t instanceof StatusRuntimeException s) {
        Status.Code code = s.getStatus().getCode();
        if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
          return ExitCode.UNREACHABLE;
        }
        if (code == Status.Code.NOT_FOUND || code == Status.Code.INVALID_ARGUMENT) {
          return ExitCode.USAGE;
        }
      }
      if (t instanceof ConnectException || t instanceof UnknownHostException) {
        return ExitCode.UNREACHABLE;
      }
    }
    return ExitCode.JOB_FAILED;
  }
}
