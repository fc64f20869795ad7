package io.blacktree.cli;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code blacktree jobs cancel ID}: requests cancellation; the workflow stops the worker and ends CANCELLED. */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Request cancellation of a running job.")
final class JobsCancelCommand implements Callable<Integer> {
  @Mixin TemporalOptions temporal;

  @Parameters(paramLabel = "WORKFLOW_ID", description = "The job's workflow ID.")
  String workflowId;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws CliException {
    try (TemporalClients clients = temporal.connect()) {
      var info = new Jobs(clients).require(workflowId).getWorkflowExecutionInfo();
      if (info.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        throw CliException.badInput("job " + workflowId + " is " + Jobs.statusName(info.getStatus())
            + ", not running");
      }
      clients.client().newUntypedWorkflowStub(workflowId).cancel();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("Cancellation requested for %s (run %s)%n", workflowId, info.getExecution().getRunId());
      out.flush();
    }
    return ExitCode.OK;
  }
}
