package io.blacktree.e2e.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The figures of one soak run, as labelled values in report order: the options, what was sent by kind, the
 * faults by kind, the reconciled outcome, the broker's and the timeline's counts, how long each phase took, and
 * each unplanned exit and fault that did not recover cleanly.
 */
final class SoakFigures {
  private SoakFigures() {
  }

  /**
   * The figures in report order.
   *
   * @param all      every request sent
   * @param timeline the run's faults and in-flight samples
   * @param dlq      the dead-letter messages drained at the end, by soak ID
   * @param runs     every execution on the Temporal server, by workflow ID
   */
  static Map<String, Object> of(SoakOptions options, List<Reconciler.Sent> all, Timeline timeline,
      Reconciler.Verdict v, FaultInjector injector, SoakBroker broker, Map<String, List<List<String>>> dlq,
      Map<String, List<Reconciler.Run>> runs, Duration startup, Duration send, Duration drain, Duration total) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("run-finished", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
    f.put("command", options.command());
    f.put("mode", options.mode().name().toLowerCase());
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
    f.put("faults", faults.size() + " (" + options.mode().faultKinds().stream()
        .map(k -> label(k.name()) + " " + faults.stream().filter(x -> x.kind() == k).count())
        .collect(Collectors.joining(", ")) + ")");
    f.put("faults-injected", faults.size());
    for (FaultKind k : options.mode().faultKinds()) {
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
}
