package io.blacktree.e2e.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.Names;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * One soak run: starts a {@link SoakStack}, sends the planned requests evenly over the run's duration while a
 * second thread injects the planned faults, waits until every accepted job has its result, checks what is
 * left, reconciles and writes the report and the plot.
 */
final class SoakRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TERMINAL = Set.of("SUCCESS", "FAILED", "CANCELLED");

  private final SoakOptions options;
  private final Timeline timeline = new Timeline();
  private final List<Reconciler.Sent> sent = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> accepted = Collections.synchronizedSet(new LinkedHashSet<>());
  private Instant t0;

  SoakRun(SoakOptions options) {
    this.options = options;
  }

  /** Runs the soak; returns 0 when reconciliation is clean, 1 otherwise. */
  int run() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "bt-soak");
    int code = run(dir);
    if (code == 0) {
      // repos, workdirs, the broker's and Temporal's data: kept only when something is to be looked at
      new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).inheritIO().start().waitFor();
    } else {
      log("kept " + dir + " for inspection");
    }
    return code;
  }

  private int run(Path dir) throws Exception {
    Instant began = Instant.now();
    log("seed " + options.seed() + ", " + options.jobs() + " jobs over " + options.duration() + ", "
        + options.workers() + " workers, a fault every ~" + options.faultGap().toSeconds() + " s; dir " + dir);
    List<RequestMix.Planned> mix = RequestMix.plan(options.jobs(), new Random(options.seed()));
    List<FaultSchedule.Planned> faults = FaultSchedule.plan(options.duration(), options.faultGap(),
        options.workers(), new Random(options.seed() + 1));
    try (SoakStack stack = new SoakStack(dir, options.workers())) {
      stack.start();
      Duration startup = Duration.between(began, Instant.now());
      log("stack up in " + startup.toSeconds() + " s (prefix " + stack.ids.prefix() + ")");
      t0 = Instant.now();
      FaultInjector injector = new FaultInjector(stack, timeline, t0);
      try (SoakBroker broker = new SoakBroker(stack.rabbit.url(), stack.queuePrefix(), t0);
          TemporalView temporal = new TemporalView(stack.temporal.target())) {
        broker.startCollecting();
        Thread sampler = daemon("soak-sampler", () -> sample(broker));
        Thread faulter = daemon("soak-faults", () -> injectAll(faults, injector));
        send(stack, broker, mix);
        Instant sendEnd = Instant.now();
        faulter.join();
        injector.heal();
        log("sending done; " + timeline.faults().size() + " faults injected; draining");
        Instant drainStart = Instant.now();
        boolean drained = await(Duration.ofMinutes(20), () -> ended(broker).containsAll(accepted), () -> {
          injector.heal();
          log("waiting: " + (accepted.size() - ended(broker).size()) + " jobs without a result");
        });
        Duration drain = Duration.between(drainStart, Instant.now());
        log(drained ? "every accepted job has its result" : "drain bound passed with jobs still open");
        await(Duration.ofMinutes(2), () -> temporal.openCount() == 0, () -> { });
        // a late copy of a result message would arrive now: give it a moment
        Thread.sleep(5000);
        sampler.interrupt();
        timeline.sample(new Timeline.Sample(millis(), accepted.size(), ended(broker).size()));

        List<String> leftovers = leftovers(stack, broker);
        broker.stopCollecting();
        long resultsLeft = broker.depth(broker.resultsQueue());
        if (resultsLeft != 0) {
          leftovers.add(resultsLeft + " message(s) left on the soak's results queue");
        }
        Map<String, List<List<String>>> dlq = broker.drainDeadLetters();
        Map<String, List<Reconciler.Run>> runs = temporal.runs();
        List<SoakBroker.Received> received = broker.received();
        List<Reconciler.Result> results = received.stream()
            .map(r -> new Reconciler.Result(r.workflowId(), r.messageId(), r.status())).toList();
        Map<String, String> failureKinds = new HashMap<>();
        received.stream().filter(r -> r.status().equals("FAILED"))
            .forEach(r -> failureKinds.put(r.workflowId(), r.errorKind()));
        Reconciler.Verdict verdict = Reconciler.reconcile(List.copyOf(sent), runs, results, dlq, failureKinds,
            leftovers);

        Duration total = Duration.between(began, Instant.now());
        Map<String, Object> figures = figures(verdict, injector, broker, dlq, runs, startup,
            Duration.between(t0, sendEnd), drain, total);
        List<String> lines = ReliabilityReport.lines(figures, verdict);
        lines.forEach(l -> System.out.println("  " + l));
        SoakPlot.write(timeline, "Soak: " + sent.size() + " requests, " + timeline.faults().size()
            + " faults, seed " + options.seed(), options.plot());
        ReliabilityReport.write(options.report(), lines);
        log("report written to " + options.report() + ", plot to " + options.plot());
        return verdict.clean() ? 0 : 1;
      }
    }
  }

  // ---- sending

  private void send(SoakStack stack, SoakBroker broker, List<RequestMix.Planned> mix) throws Exception {
    long intervalMillis = options.duration().toMillis() / options.jobs();
    Map<Integer, byte[]> validBodies = new HashMap<>();
    Map<Integer, String> validIds = new HashMap<>();
    for (RequestMix.Planned p : mix) {
      long due = p.index() * intervalMillis;
      long wait = due - millis();
      if (wait > 0) {
        Thread.sleep(wait);
      }
      String soakId = "soak-" + p.index();
      byte[] body;
      String workflowId = null;
      switch (p.kind()) {
        case VALID -> {
          String repo = "acme/" + stack.ids.name("app" + p.index());
          stack.repos.create(repo, "main", files(soakId));
          String ecr = stack.ids.name("app" + p.index());
          body = bytes(request(repo, "v1", SoakStack.ACCOUNT, ecr, soakId));
          workflowId = Names.workflowId(BuildRequest.of(repo, "main", "v1", SoakStack.ACCOUNT, ecr)
              .withRequestId(soakId), SoakStack.REGION);
          validBodies.put(p.index(), body);
          validIds.put(p.index(), workflowId);
        }
        case DUPLICATE -> {
          body = validBodies.get(p.duplicateOf());
          workflowId = validIds.get(p.duplicateOf());
        }
        case NOT_JSON -> body = ("{\"repo_url\": \"acme/x\", " + soakId).getBytes(StandardCharsets.UTF_8);
        case MISSING_FIELD -> {
          Map<String, Object> r = request("acme/x", "v1", SoakStack.ACCOUNT, "x", soakId);
          r.remove("ecr_repo");
          body = bytes(r);
        }
        case BAD_ACCOUNT -> body = bytes(request("acme/x", "v1", "12ab", "x", soakId));
        case BAD_TAG -> body = bytes(request("acme/x", "v 1!", SoakStack.ACCOUNT, "x", soakId));
        case POLICY -> body = bytes(request("http://git.example.com/acme/x", "v1", SoakStack.ACCOUNT, "x",
            soakId));
        default -> throw new IllegalStateException(p.kind().toString());
      }
      broker.publish(soakId, body);
      sent.add(new Reconciler.Sent(soakId, p.kind(), workflowId));
      if (workflowId != null) {
        accepted.add(workflowId);
      }
    }
  }

  private static Map<String, Object> files(String marker) {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("hello.txt", marker + "\n");
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello.txt /hello.txt\n"
        + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"cat /hello.txt; sleep 1\"]\n"
        + "CMD [\"/bin/busybox\", \"cat\", \"/hello.txt\"]\n");
    return files;
  }

  private static Map<String, Object> request(String repo, String version, String account, String ecr,
      String requestId) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("repo_url", repo);
    r.put("branch", "main");
    r.put("deployment_version", version);
    r.put("aws_account", account);
    r.put("ecr_repo", ecr);
    r.put("request_id", requestId);
    return r;
  }

  private static byte[] bytes(Map<String, Object> r) throws Exception {
    return JSON.writeValueAsBytes(r);
  }

  // ---- faults and samples

  private void injectAll(List<FaultSchedule.Planned> faults, FaultInjector injector) {
    for (FaultSchedule.Planned f : faults) {
      long wait = f.at().toMillis() - millis();
      try {
        if (wait > 0) {
          Thread.sleep(wait);
        }
      } catch (InterruptedException e) {
        return;
      }
      injector.inject(f);
    }
  }

  private void sample(SoakBroker broker) {
    while (!Thread.currentThread().isInterrupted()) {
      timeline.sample(new Timeline.Sample(millis(), accepted.size(), ended(broker).size()));
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The accepted workflow IDs with a terminal result message. */
  private Set<String> ended(SoakBroker broker) {
    Set<String> acceptedNow;
    synchronized (accepted) {
      acceptedNow = Set.copyOf(accepted);
    }
    return broker.received().stream().filter(r -> TERMINAL.contains(r.status())).map(SoakBroker.Received::workflowId)
        .filter(acceptedNow::contains).collect(Collectors.toSet());
  }

  // ---- the end

  private List<String> leftovers(SoakStack stack, SoakBroker broker) {
    List<String> out = new ArrayList<>();
    stack.stopBridge();
    long queued = broker.depth(broker.buildQueue());
    if (queued != 0) {
      out.add(queued + " message(s) left on " + broker.buildQueue() + " after the bridge stopped");
    }
    for (int i = 0; i < stack.workers(); i++) {
      int w = i;
      if (!await(Duration.ofSeconds(60), () -> stack.workerFree(w), () -> { })) {
        String state;
        try {
          state = stack.workerStatus(w).toString().replace('\n', ' ');
        } catch (RuntimeException e) {
          state = "unreachable: " + e.getMessage();
        }
        out.add("worker" + w + " not FREE: " + state);
      }
      if (!await(Duration.ofSeconds(30), () -> stack.workspaces(w).isEmpty(), () -> { })) {
        out.add("worker" + w + " workspaces: " + stack.workspaces(w));
      }
    }
    if (!await(Duration.ofSeconds(60), () -> stack.containers().isEmpty(), () -> { })) {
      stack.containers().forEach(c -> out.add("container on the private engine: " + c));
    }
    return out;
  }

  private Map<String, Object> figures(Reconciler.Verdict v, FaultInjector injector, SoakBroker broker,
      Map<String, List<List<String>>> dlq, Map<String, List<Reconciler.Run>> runs, Duration startup,
      Duration send, Duration drain, Duration total) {
    Map<String, Object> f = new LinkedHashMap<>();
    List<Reconciler.Sent> all = List.copyOf(sent);
    f.put("run-finished", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
    f.put("command", options.command());
    f.put("seed", options.seed());
    f.put("workers", options.workers());
    f.put("duration-planned", fmt(options.duration()));
    f.put("fault-gap-mean", fmt(options.faultGap()));
    f.put("jobs-sent", all.size());
    f.put("jobs-valid", all.stream().filter(s -> s.kind() == RequestKind.VALID).count());
    f.put("jobs-invalid", all.stream().filter(s -> s.kind().invalid()).count());
    for (RequestKind k : RequestKind.invalidKinds()) {
      f.put("jobs-invalid-" + label(k.name()), all.stream().filter(s -> s.kind() == k).count());
    }
    f.put("jobs-duplicate", all.stream().filter(s -> s.kind() == RequestKind.DUPLICATE).count());
    List<Timeline.Fault> faults = timeline.faults();
    f.put("faults-injected", faults.size());
    for (FaultKind k : FaultKind.values()) {
      f.put("faults-" + label(k.name()), faults.stream().filter(x -> x.kind() == k).count());
    }
    f.put("faults-not-recovered-cleanly", faults.stream().filter(x -> x.error() != null).count());
    f.put("components-exited-unplanned", injector.unplannedExits().size());
    f.put("workflow-ids-accepted", v.accepted());
    f.put("workflow-executions", runs.values().stream().mapToInt(List::size).sum());
    f.put("jobs-succeeded", v.succeeded());
    f.put("jobs-failed", v.failed());
    v.failedByKind().forEach((k, n) -> f.put("jobs-failed-" + label(k), n));
    f.put("jobs-lost", v.lost().size());
    f.put("jobs-duplicated", v.duplicated().size());
    f.put("invalid-not-in-dlq", v.invalidNotInDlq().size());
    f.put("leftovers", v.leftovers().size());
    f.put("dlq-messages", dlq.values().stream().mapToInt(List::size).sum());
    f.put("dlq-extra-copies", v.extraDlqCopies());
    f.put("result-message-redeliveries", v.resultRedeliveries());
    f.put("publish-retries", broker.publishRetries());
    f.put("max-jobs-in-flight", timeline.samples().stream().mapToInt(Timeline.Sample::inFlight).max().orElse(0));
    f.put("startup-duration", fmt(startup));
    f.put("send-duration", fmt(send));
    f.put("drain-duration", fmt(drain));
    f.put("total-duration", fmt(total));
    Path reportDir = options.report().toAbsolutePath().getParent();
    f.put("plot", reportDir.relativize(options.plot().toAbsolutePath()).toString());
    for (String u : injector.unplannedExits()) {
      f.put("unplanned-exit-" + (f.size()), u);
    }
    for (Timeline.Fault x : faults) {
      if (x.error() != null) {
        f.put("fault-error-" + x.startMillis() / 1000 + "s", x.kind() + " " + x.target() + ": " + x.error());
      }
    }
    return f;
  }

  private static String label(String name) {
    return name.toLowerCase().replace('_', '-');
  }

  private static String fmt(Duration d) {
    return d.toSeconds() + " s";
  }

  // ---- plumbing

  private long millis() {
    return Duration.between(t0, Instant.now()).toMillis();
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Polls {@code condition} every 5 s (running {@code meanwhile} each time) until it holds or the bound passes. */
  private static boolean await(Duration bound, BooleanSupplier condition, Runnable meanwhile) {
    Instant end = Instant.now().plus(bound);
    long n = 0;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException e) {
        // a service restarting: ask again
      }
      if (Instant.now().isAfter(end)) {
        return false;
      }
      if (++n % 6 == 0) {
        meanwhile.run();
      }
      try {
        TimeUnit.SECONDS.sleep(bound.toSeconds() > 120 ? 5 : 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  static void log(String s) {
    System.out.println("[soak " + DateTimeFormatter.ISO_LOCAL_TIME.format(java.time.LocalTime.now()
        .truncatedTo(ChronoUnit.SECONDS)) + "] " + s);
  }

  /** The soak's view of the private Temporal server: executions by workflow ID, status from each history. */
  static final class TemporalView implements AutoCloseable {
    private final WorkflowServiceStubs service;
    private final WorkflowClient client;

    TemporalView(String target) {
      service = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
      client = WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    }

    long openCount() {
      return client.listExecutions("ExecutionStatus = 'Running'").count();
    }

    /** Every execution on the server, by workflow ID; the status is read from the run's history. */
    Map<String, List<Reconciler.Run>> runs() {
      Map<String, List<Reconciler.Run>> out = new HashMap<>();
      List<WorkflowExecutionMetadata> all = client.listExecutions("WorkflowType = '" + Names.WORKFLOW_TYPE + "'")
          .toList();
      for (WorkflowExecutionMetadata m : all) {
        String wf = m.getExecution().getWorkflowId();
        String run = m.getExecution().getRunId();
        out.computeIfAbsent(wf, k -> new ArrayList<>()).add(new Reconciler.Run(run, statusFromHistory(wf, run)));
      }
      return out;
    }

    private String statusFromHistory(String workflowId, String runId) {
      List<String> closes = new ArrayList<>();
      for (HistoryEvent e : client.fetchHistory(workflowId, runId).getEvents()) {
        EventType t = e.getEventType();
        switch (t) {
          case EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED -> closes.add("COMPLETED");
          case EVENT_TYPE_WORKFLOW_EXECUTION_FAILED -> closes.add("FAILED");
          case EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED -> closes.add("CANCELED");
          case EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED -> closes.add("TERMINATED");
          case EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT -> closes.add("TIMED_OUT");
          case EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW -> closes.add("CONTINUED_AS_NEW");
          default -> { }
        }
      }
      if (closes.isEmpty()) {
        return "RUNNING";
      }
      return closes.size() == 1 ? closes.get(0) : "CLOSED_" + closes.size() + "_TIMES";
    }

    @Override
    public void close() {
      service.shutdown();
    }
  }
}
