package io.blacktree.e2e.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SoakOptionsTest {
  @Test
  void parse_noArguments_issueDefaults() {
    SoakOptions o = SoakOptions.parse(new String[0]);

    assertThat(o.jobs()).isEqualTo(500);
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(30));
    assertThat(o.workers()).isEqualTo(3);
    assertThat(o.faultGap()).isEqualTo(Duration.ofSeconds(75));
    assertThat(o.mode()).isEqualTo(SoakMode.SINGLE);
    assertThat(o.plot().toString()).endsWith("docs/reliability-soak.png");
  }

  @Test
  void parse_modeCluster_clusterPlotAndMode() {
    SoakOptions o = SoakOptions.parse(new String[] {"--mode", "cluster", "--jobs", "300"});

    assertThat(o.mode()).isEqualTo(SoakMode.CLUSTER);
    assertThat(o.plot().toString()).endsWith("docs/reliability-soak-cluster.png");
  }

  @Test
  void parse_everyOption_taken() {
    SoakOptions o = SoakOptions.parse(new String[] {"--jobs", "30", "--duration", "3m", "--workers", "2",
        "--seed", "7", "--fault-gap", "PT45S"});

    assertThat(o.jobs()).isEqualTo(30);
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(3));
    assertThat(o.workers()).isEqualTo(2);
    assertThat(o.seed()).isEqualTo(7);
    assertThat(o.faultGap()).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void parse_unknownOptionOrBadValue_refused() {
    assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--job", "3"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--job");
    assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--jobs", "0"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--duration", "3d"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SoakOptions.parse(new String[] {"--mode", "mesh"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("single or cluster");
  }
}
