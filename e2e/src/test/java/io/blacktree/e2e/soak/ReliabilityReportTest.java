package io.blacktree.e2e.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReliabilityReportTest {
  private static final String SINGLE = SoakMode.SINGLE.reportMarker();
  private static final String CLUSTER = SoakMode.CLUSTER.reportMarker();

  @Test
  void replaceSection_oldReport_replacedRestKept() {
    String doc = "# R\nmethod\n" + ReliabilityReport.start(SINGLE) + "\n```\njobs-lost: 3\n```\n"
        + ReliabilityReport.end(SINGLE) + "\nafter\n";

    String out = ReliabilityReport.replaceSection(doc, SINGLE, List.of("jobs-lost: 0", "leftovers: 0"));

    assertThat(out).isEqualTo("# R\nmethod\n" + ReliabilityReport.start(SINGLE)
        + "\n```\njobs-lost: 0\nleftovers: 0\n```\n" + ReliabilityReport.end(SINGLE) + "\nafter\n");
  }

  @Test
  void replaceSection_clusterMarker_onlyClusterSectionReplaced() {
    String single = ReliabilityReport.start(SINGLE) + "\n```\njobs-lost: 0\n```\n" + ReliabilityReport.end(SINGLE);
    String doc = single + "\n## Cluster\n" + ReliabilityReport.start(CLUSTER) + "\n```\nold\n```\n"
        + ReliabilityReport.end(CLUSTER) + "\n";

    String out = ReliabilityReport.replaceSection(doc, CLUSTER, List.of("cluster-jobs-lost: 0"));

    assertThat(out).isEqualTo(single + "\n## Cluster\n" + ReliabilityReport.start(CLUSTER)
        + "\n```\ncluster-jobs-lost: 0\n```\n" + ReliabilityReport.end(CLUSTER) + "\n");
  }

  @Test
  void replaceSection_noMarkers_refused() {
    assertThatThrownBy(() -> ReliabilityReport.replaceSection("# R\n", SINGLE, List.of("x: 1")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void lines_figuresInOrderThenEachProblem() {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("jobs-sent", 3);
    figures.put("jobs-lost", 1);
    Reconciler.Verdict v = new Reconciler.Verdict(2, 1, 0, Map.of(), List.of("wf1: no execution"), List.of(),
        List.of(), 0, 0, List.of("worker 0 BUSY"));

    assertThat(ReliabilityReport.lines("", figures, v)).containsExactly("jobs-sent: 3", "jobs-lost: 1",
        "lost: wf1: no execution", "leftover: worker 0 BUSY");
    assertThat(ReliabilityReport.lines("cluster-", figures, v)).containsExactly("cluster-jobs-sent: 3",
        "cluster-jobs-lost: 1", "cluster-lost: wf1: no execution", "cluster-leftover: worker 0 BUSY");
  }
}
