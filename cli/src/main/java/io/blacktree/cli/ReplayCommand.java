package io.blacktree.cli;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code blacktree replay FILE.json... | --workflow-id ID}: replays recorded histories against the workflow code
 * in this distribution. Exit 0 when every history replays; 1 naming the history and event on
 * non-determinism; 2 for an unreadable file or unknown workflow.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Replay workflow histories (JSON files or workflow IDs) against the current workflow code.")
final class ReplayCommand implements Callable<Integer> {
  /** The workflow implementation replayed by default. */
  static final String DEFAULT_WORKFLOW_CLASS = "io.blacktree.workflows.DeployJobWorkflowImpl";
  private static final Pattern EVENT = Pattern.compile("[Ee]vent(?:Id)?[ :=]*(\\d+)");

  @Mixin TemporalOptions temporal;

  @Parameters(paramLabel = "FILE.json", arity = "0..*", description = "History JSON files (Web UI / temporal CLI export).")
  List<Path> files = new ArrayList<>();

  @Option(names = "--workflow-id", paramLabel = "ID", description = "Fetch this workflow's history (repeatable).")
  List<String> workflowIds = new ArrayList<>();

  @Option(names = "--workflow-class", defaultValue = DEFAULT_WORKFLOW_CLASS,
      description = "Workflow implementation class to replay against (default: ${DEFAULT-VALUE}).")
  String workflowClass;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws CliException {
    if (files.isEmpty() && workflowIds.isEmpty()) {
      throw CliException.badInput("give history files or --workflow-id");
    }
    Class<?> implementation = implementationClass();
    Map<String, WorkflowExecutionHistory> histories = new java.util.LinkedHashMap<>();
    for (Path file : files) {
      try {
        histories.put(file.toString(), WorkflowExecutionHistory.fromJson(Files.readString(file)));
      } catch (IOException | RuntimeException e) {
        throw CliException.badInput("cannot read history " + file + ": " + TemporalOptions.rootMessage(e));
      }
    }
    if (!workflowIds.isEmpty()) {
      try (TemporalClients clients = temporal.connect()) {
        Jobs jobs = new Jobs(clients);
        for (String id : workflowIds) {
          jobs.require(id);
          histories.put(id, clients.client().fetchHistory(id));
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int failures = 0;
    for (Map.Entry<String, WorkflowExecutionHistory> entry : histories.entrySet()) {
      try {
        WorkflowReplayer.replayWorkflowExecution(entry.getValue(), implementation);
        out.println("ok      " + entry.getKey());
      } catch (Exception e) {
        failures++;
        err.println("FAILED  " + entry.getKey() + ": " + describe(e));
      }
    }
    out.printf("%d replayed, %d failed%n", histories.size() - failures, failures);
    out.flush();
    err.flush();
    return failures == 0 ? ExitCode.OK : ExitCode.JOB_FAILED;
  }

  private Class<?> implementationClass() throws CliException {
    try {
      return Class.forName(workflowClass);
    } catch (ClassNotFoundException e) {
      throw CliException.badInput("workflow class " + workflowClass + " is not in this distribution");
    }
  }

  /** The failure with the event it happened at, when the message names one. */
  static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && (t.getMessage().contains("TMPRL1100")
          || t.getMessage().contains("NonDeterministic"))) {
        message = t.getMessage();
        break;
      }
    }
    Matcher m = EVENT.matcher(message);
    String firstLine = message.lines().findFirst().orElse(message);
    return (m.find() ? "non-deterministic at event " + m.group(1) + ": " : "") + firstLine;
  }
}
