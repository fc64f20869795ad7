package io.blacktree.e2e.soak;

import java.util.List;

/**
 * The two shapes a soak runs against, each with its faults and where its report goes: {@code single} (one node
 * of everything: the dev server, one RabbitMQ node, one orchestrator owning every worker, one bridge) and
 * {@code cluster} (the production shape: Temporal on PostgreSQL as four processes, three RabbitMQ nodes, build
 * hosts of one worker and one orchestrator each, two bridges). A cluster run's report lines carry the prefix
 * {@code cluster-} and go to their own section of RELIABILITY.md.
 */
enum SoakMode {
  SINGLE(List.of(FaultKind.WORKER_KILL, FaultKind.ORCHESTRATOR_KILL, FaultKind.BRIDGE_KILL,
      FaultKind.RABBIT_RESTART, FaultKind.TEMPORAL_RESTART, FaultKind.LINK_CUT, FaultKind.DOCKERD_RESTART),
      "", "soak-report", "docs/reliability-soak.png"),
  CLUSTER(List.of(FaultKind.HISTORY_KILL, FaultKind.FRONTEND_RESTART, FaultKind.RABBIT_NODE_KILL,
      FaultKind.BUILD_HOST_KILL, FaultKind.BRIDGE_KILL, FaultKind.POSTGRES_RESTART),
      "cluster-", "cluster-soak-report", "docs/reliability-soak-cluster.png");

  private final List<FaultKind> faultKinds;
  private final String labelPrefix;
  private final String reportMarker;
  private final String defaultPlot;

  SoakMode(List<FaultKind> faultKinds, String labelPrefix, String reportMarker, String defaultPlot) {
    this.faultKinds = faultKinds;
    this.labelPrefix = labelPrefix;
    this.reportMarker = reportMarker;
    this.defaultPlot = defaultPlot;
  }

  List<FaultKind> faultKinds() {
    return faultKinds;
  }

  /** Put before every label of the report ({@code cluster-jobs-lost: 0}). */
  String labelPrefix() {
    return labelPrefix;
  }

  /** RELIABILITY.md's section is between {@code <!-- M:start -->} and {@code <!-- M:end -->}. */
  String reportMarker() {
    return reportMarker;
  }

  String defaultPlot() {
    return defaultPlot;
  }

  static SoakMode parse(String v) {
    return switch (v) {
      case "single" -> SINGLE;
      case "cluster" -> CLUSTER;
      default -> throw new IllegalArgumentException("--mode " + v + ": use single or cluster");
    };
  }
}
