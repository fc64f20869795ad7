package io.blacktree.e2e.soak;

import io.blacktree.testsupport.TestRequests;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.Names;
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
 * One soak run: starts the {@link SoakPipeline} of its mode, sends the planned requests evenly over the run's duration while a
 * second thread injects the planned faults, waits until every accepted job has its result, checks what is
 * left, reconciles and writes the report (its figures from {@link SoakFigures}) and the plot. Temporal is read
 * through a {@link TemporalView}.
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
    log(options.mode().name().toLowerCase() + " soak, seed " + options.seed() + ", " + options.jobs()
        + " jobs over " + options.duration() + ", " + options.workers() + " workers, a fault every ~"
        + options.faultGap().toSeconds() + " s; dir " + dir);
    List<RequestMix.Planned> mix = RequestMix.plan(options.jobs(), new Random(options.seed()));
    try (SoakPipeline stack = options.mode() == SoakMode.CLUSTER
        ? new ClusterSoakStack(repositoryRoot(), dir, options.workers())
        : new SoakStack(dir, options.workers())) {
      List<FaultSchedule.Planned> faults = FaultSchedule.plan(options.duration(), options.faultGap(),
          stack.faultKinds(), options.workers(), new Random(options.seed() + 1));
      stack.start();
      Duration startup = Duration.between(began, Instant.now());
      log("stack up in " + startup.toSeconds() + " s (prefix " + stack.ids().prefix() + ")");
      t0 = Instant.now();
      FaultInjector injector = new FaultInjector(stack, timeline, t0);
      try (SoakBroker broker = new SoakBroker(stack.amqpUrls(), stack.queuePrefix(), stack.replicatedQueues(), t0);
          TemporalView temporal = new TemporalView(stack.temporalTarget())) {
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
        Map<String, Object> figures = SoakFigures.of(options, List.copyOf(sent), timeline, verdict, injector,
            broker, dlq, runs, startup, Duration.between(t0, sendEnd), drain, total);
        List<String> lines = ReliabilityReport.lines(options.mode().labelPrefix(), figures, verdict);
        lines.forEach(l -> System.out.println("  " + l));
        SoakPlot.write(timeline, "Soak: " + sent.size() + " requests, " + timeline.faults().size()
            + " faults, seed " + options.seed(), options.plot());
        ReliabilityReport.write(options.report(), options.mode().reportMarker(), lines);
        log("report written to " + options.report() + ", plot to " + options.plot());
        return verdict.clean() ? 0 : 1;
      }
    }
  }

  // ---- sending

  private void send(SoakPipeline stack, SoakBroker broker, List<RequestMix.Planned> mix) throws Exception {
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
          String repo = "acme/" + stack.ids().name("app" + p.index());
          stack.repos().create(repo, "main", files(soakId));
          String ecr = stack.ids().name("app" + p.index());
          body = bytes(request(repo, "v1", SoakPipeline.ACCOUNT, ecr, soakId));
          workflowId = Names.workflowId(TestRequests.of(repo, "main", "v1", SoakPipeline.ACCOUNT, ecr,
              null, soakId), SoakPipeline.REGION);
          validBodies.put(p.index(), body);
          validIds.put(p.index(), workflowId);
        }
        case DUPLICATE -> {
          body = validBodies.get(p.duplicateOf());
          workflowId = validIds.get(p.duplicateOf());
        }
        case NOT_JSON -> body = ("{\"repo_url\": \"acme/x\", " + soakId).getBytes(StandardCharsets.UTF_8);
        case MISSING_FIELD -> {
          Map<String, Object> r = request("acme/x", "v1", SoakPipeline.ACCOUNT, "x", soakId);
          r.remove("ecr_repo");
          body = bytes(r);
        }
        case BAD_ACCOUNT -> body = bytes(request("acme/x", "v1", "12ab", "x", soakId));
        case BAD_TAG -> body = bytes(request("acme/x", "v 1!", SoakPipeline.ACCOUNT, "x", soakId));
        case POLICY -> body = bytes(request("http://git.example.com/acme/x", "v1", SoakPipeline.ACCOUNT, "x",
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

  private List<String> leftovers(SoakPipeline stack, SoakBroker broker) {
    List<String> out = new ArrayList<>();
    stack.stopBridges();
    long queued = broker.depth(broker.buildQueue());
    if (queued != 0) {
      out.add(queued + " message(s) left on " + broker.buildQueue() + " after the bridge stopped");
    }
    SoakWorkers workers = stack.workers();
    for (int i = 0; i < workers.count(); i++) {
      int w = i;
      if (!await(Duration.ofSeconds(60), () -> workers.free(w), () -> { })) {
        String state;
        try {
          state = workers.status(w).toString().replace('\n', ' ');
        } catch (RuntimeException e) {
          state = "unreachable: " + e.getMessage();
        }
        out.add("worker" + w + " not FREE: " + state);
      }
      if (!await(Duration.ofSeconds(30), () -> workers.workspaces(w).isEmpty(), () -> { })) {
        out.add("worker" + w + " workspaces: " + workers.workspaces(w));
      }
    }
    if (!await(Duration.ofSeconds(60), () -> stack.containers().isEmpty(), () -> { })) {
      stack.containers().forEach(c -> out.add("container on the private engine: " + c));
    }
    return out;
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

  /** The repository root (where scripts/services is), above the working directory. */
  private static Path repositoryRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("scripts/services")) && Files.isRegularFile(d.resolve("pom.xml"))) {
        return d;
      }
    }
    throw new IllegalStateException("scripts/services not found above " + Path.of("").toAbsolutePath());
  }

  static void log(String s) {
    System.out.println("[soak " + DateTimeFormatter.ISO_LOCAL_TIME.format(java.time.LocalTime.now()
        .truncatedTo(ChronoUnit.SECONDS)) + "] " + s);
  }
}
