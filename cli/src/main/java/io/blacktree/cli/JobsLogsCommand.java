package io.blacktree.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code blacktree jobs logs ID [--follow]}: each finished attempt's logs from history, then the running
 * attempt's latest lines from its heartbeat details (DescribeWorkflowExecution pending activities).
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
    description = "Print a job's logs: each attempt's from history, the running one's from its heartbeats.")
final class JobsLogsCommand implements Callable<Integer> {
  @Mixin TemporalOptions temporal;

  @Parameters(paramLabel = "WORKFLOW_ID", description = "The job's workflow ID.")
  String workflowId;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until the job ends.")
  boolean follow;

  @Option(names = "--poll-interval", defaultValue = "PT1S", description = "How often --follow polls (ISO-8601).")
  Duration pollInterval;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws CliException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    try (TemporalClients clients = temporal.connect()) {
      Jobs jobs = new Jobs(clients);
      int printed = 0;
      List<String> live = List.of();
      int liveAttempt = 0;
      while (true) {
        DescribeWorkflowExecutionResponse described = jobs.require(workflowId);
        String runId = described.getWorkflowExecutionInfo().getExecution().getRunId();
        List<Attempt> attempts = new JobHistory(jobs.history(workflowId, runId)).attempts();
        for (; printed < attempts.size() && !Attempt.RUNNING.equals(attempts.get(printed).outcome()); printed++) {
          Attempt a = attempts.get(printed);
          header(out, a);
          if (a.number() != liveAttempt && a.logs() != null) {
            out.println(a.logs().stripTrailing());
          }
        }
        boolean running = described.getWorkflowExecutionInfo().getStatus()
            == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
        if (running && printed < attempts.size()) {
          List<String> lines = heartbeatLines(described);
          if (liveAttempt != printed + 1) {
            liveAttempt = printed + 1;
            live = List.of();
            out.printf("=== attempt %d (running)%n", liveAttempt);
          }
          LineTail.newLines(live, lines).forEach(out::println);
          live = lines;
        }
        out.flush();
        if (!follow || !running) {
          return ExitCode.OK;
        }
        Thread.sleep(pollInterval.toMillis());
      }
    }
  }

  private static void header(PrintWriter out, Attempt a) {
    out.printf("=== attempt %d %s%s%s%n", a.number(), a.outcome(),
        a.errorKind() == null ? "" : " " + a.errorKind(), a.worker() == null ? "" : " on " + a.worker());
  }

  /** The {@code lastLines} of the running dispatch activity's latest heartbeat. */
  static List<String> heartbeatLines(DescribeWorkflowExecutionResponse described) {
    List<String> lines = new ArrayList<>();
    for (PendingActivityInfo activity : described.getPendingActivitiesList()) {
      if (!JobHistory.DISPATCH_ACTIVITY.equals(activity.getActivityType().getName())) {
        continue;
      }
      PayloadJson.first(activity.getHeartbeatDetails()).ifPresent(details -> {
        JsonNode last = details.get("lastLines");
        if (last != null && last.isArray()) {
          last.forEach(line -> lines.add(line.asText()));
        }
      });
    }
    return lines;
  }
}
