package io.blacktree.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code blacktree jobs}: inspect and operate on deploy jobs (Temporal workflows). */
@Command(name = "jobs", mixinStandardHelpOptions = true,
    description = "List, show, follow, retry and cancel deploy jobs.",
    subcommands = {JobsListCommand.class, JobsShowCommand.class, JobsLogsCommand.class,
        JobsRetryCommand.class, JobsCancelCommand.class})
final class JobsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: list, show, logs, retry or cancel");
  }
}
