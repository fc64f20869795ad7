package io.blacktree.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.blacktree.core.Names;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code blacktree jobs list}: a visibility query over DeployJob workflows, newest first. */
@Command(name = "list", description = "List jobs (visibility query), newest first.")
final class JobsListCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin TemporalOptions temporal;

  @Option(names = "--status", description = "running, completed, failed, cancelled, terminated, timed_out.")
  String status;

  @Option(names = "--repo", description = "repo_url as requested (BlacktreeRepo).")
  String repo;

  @Option(names = "--version", description = "deployment_version (BlacktreeVersion).")
  String version;

  @Option(names = "--account", description = "aws_account (BlacktreeAccount).")
  String account;

  @Option(names = "--limit", defaultValue = "50", description = "At most this many jobs (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--json", description = "JSON array instead of a table.")
  boolean json;

  @Spec CommandSpec spec;

  /** One row of the listing. */
  record Row(String workflowId, String runId, String status, String step, String repo, String version,
      Instant started, Instant closed) {}

  @Override
  public Integer call() throws CliException {
    String query = VisibilityQuery.build(status, repo, version, account);
    List<Row> rows = new ArrayList<>();
    try (TemporalClients clients = temporal.connect()) {
      ByteString token = ByteString.EMPTY;
      do {
        ListWorkflowExecutionsResponse page = clients.service().blockingStub()
            .withDeadlineAfter(Jobs.DEADLINE_SECONDS, TimeUnit.SECONDS)
            .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                .setNamespace(clients.namespace())
                .setQuery(query)
                .setPageSize(Math.min(limit, 100))
                .setNextPageToken(token)
                .build());
        for (WorkflowExecutionInfo info : page.getExecutionsList()) {
          if (rows.size() < limit) {
            rows.add(row(info));
          }
        }
        token = page.getNextPageToken();
      } while (!token.isEmpty() && rows.size() < limit);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      printJson(rows, out);
    } else {
      printTable(rows, out);
    }
    return ExitCode.OK;
  }

  static Row row(WorkflowExecutionInfo info) {
    return new Row(info.getExecution().getWorkflowId(), info.getExecution().getRunId(),
        Jobs.statusName(info.getStatus()), keyword(info, Names.SA_STEP), keyword(info, Names.SA_REPO),
        keyword(info, Names.SA_VERSION), instant(info.hasStartTime(), info.getStartTime()),
        instant(info.hasCloseTime(), info.getCloseTime()));
  }

  private static Instant instant(boolean present, com.google.protobuf.Timestamp t) {
    return present ? Instant.ofEpochSecond(t.getSeconds(), t.getNanos()) : null;
  }

  private static String keyword(WorkflowExecutionInfo info, String name) {
    Payload payload = info.getSearchAttributes().getIndexedFieldsMap().get(name);
    if (payload == null) {
      return null;
    }
    return PayloadJson.tree(payload).map(node -> node.isArray() && node.size() > 0 ? node.get(0) : node)
        .map(node -> node.asText()).orElse(null);
  }

  static void printTable(List<Row> rows, PrintWriter out) {
    Table table = new Table("WORKFLOW ID", "STATUS", "STEP", "REPO", "STARTED", "DURATION");
    for (Row r : rows) {
      table.add(r.workflowId(), r.status(), r.step(), r.repo(), Table.time(r.started()),
          Table.duration(r.started(), r.closed()));
    }
    table.print(out);
  }

  private static void printJson(List<Row> rows, PrintWriter out) {
    ArrayNode array = ResultPrinter.JSON.createArrayNode();
    for (Row r : rows) {
      ObjectNode o = array.addObject();
      o.put("workflow_id", r.workflowId());
      o.put("run_id", r.runId());
      o.put("status", r.status());
      o.put("step", r.step());
      o.put("repo", r.repo());
      o.put("version", r.version());
      o.put("start_time", r.started() == null ? null : r.started().toString());
      o.put("close_time", r.closed() == null ? null : r.closed().toString());
    }
    ResultPrinter.printJson(array, out);
  }
}
