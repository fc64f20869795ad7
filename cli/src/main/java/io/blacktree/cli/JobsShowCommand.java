package io.blacktree.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blacktree.core.DeployResult;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code blacktree jobs show ID}: the request, every attempt with its error kind, and the result. */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Show a job: request, attempts (with error kinds) and result.")
final class JobsShowCommand implements Callable<Integer> {
  @Mixin TemporalOptions temporal;

  @Parameters(paramLabel = "WORKFLOW_ID", description = "The job's workflow ID.")
  String workflowId;

  @Option(names = "--json", description = "JSON instead of text.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws CliException {
    try (TemporalClients clients = temporal.connect()) {
      Jobs jobs = new Jobs(clients);
      DescribeWorkflowExecutionResponse described = jobs.require(workflowId);
      WorkflowExecutionInfo info = described.getWorkflowExecutionInfo();
      JobHistory history = new JobHistory(jobs.history(workflowId, info.getExecution().getRunId()));
      JsonNode request = history.input().map(in -> in.has("request") ? in.get("request") : in).orElse(null);
      List<Attempt> attempts = history.attempts();
      Optional<DeployResult> result = history.result(workflowId);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectNode o = ResultPrinter.JSON.createObjectNode();
        o.put("workflow_id", workflowId);
        o.put("run_id", info.getExecution().getRunId());
        o.put("status", Jobs.statusName(info.getStatus()));
        o.set("request", request);
        o.set("attempts", ResultPrinter.JSON.valueToTree(attempts));
        o.set("result", result.map(r -> (JsonNode) ResultPrinter.JSON.valueToTree(r)).orElse(null));
        ResultPrinter.printJson(o, out);
      } else {
        ResultPrinter.field(out, "workflow", workflowId);
        ResultPrinter.field(out, "run", info.getExecution().getRunId());
        ResultPrinter.field(out, "status", Jobs.statusName(info.getStatus()));
        out.println("request:");
        out.println(request == null ? "  -" : "  " + request);
        out.println("attempts:");
        Table table = new Table("#", "OUTCOME", "ERROR KIND", "WORKER", "DURATION", "MESSAGE");
        for (Attempt a : attempts) {
          table.add(Integer.toString(a.number()), a.outcome(), a.errorKind(), a.worker(),
              Table.duration(a.scheduled(), a.closed()), a.message());
        }
        table.print(out);
        out.println("result:");
        result.ifPresentOrElse(r -> ResultPrinter.print(r, out), () -> out.println("  (still running)"));
      }
      out.flush();
    }
    return ExitCode.OK;
  }
}
