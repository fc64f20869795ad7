package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EngineWatchTest {
  @Test
  void decide_engineUnreachable_engineCaused() {
    assertThat(EngineWatch.decide(true, false, false)).isTrue();
    assertThat(EngineWatch.decide(true, false, true)).isTrue();
  }

  @Test
  void decide_engineKilledRunContainer_engineCaused() {
    assertThat(EngineWatch.decide(false, true, false)).isTrue();
  }

  @Test
  void decide_oomKilledWithHealthyEngine_buildsOwn() {
    assertThat(EngineWatch.decide(false, false, true)).isFalse();
    assertThat(EngineWatch.decide(false, true, true)).isFalse();
  }

  @Test
  void decide_noKillNoOutage_buildsOwn() {
    assertThat(EngineWatch.decide(false, false, false)).isFalse();
  }
}
