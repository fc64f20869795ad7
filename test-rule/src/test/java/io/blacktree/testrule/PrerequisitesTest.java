package io.blacktree.testrule;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {

  @Test
  void unmet_inCi_failsNamingWhatIsMissing() {
    assertThatThrownBy(() -> Prerequisites.unmet(true, "service is down", "RabbitMQ is not reachable"))
        .isInstanceOf(AssertionError.class)
        .hasMessage("CI=true and a required service is down: RabbitMQ is not reachable");
  }

  @Test
  void unmet_outsideCi_skipsWithTheMessage() {
    assertThatThrownBy(() -> Prerequisites.unmet(false, "service is down", "RabbitMQ is not reachable"))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("RabbitMQ is not reachable");
  }

  @Test
  void require_available_passes() {
    assertThatCode(() -> Prerequisites.require(true, "docker-compose")).doesNotThrowAnyException();
  }

  @Test
  void require_missing_failsInCiElseSkips() {
    Class<? extends Throwable> expected = Prerequisites.inCi() ? AssertionError.class : TestAbortedException.class;
    assertThatThrownBy(() -> Prerequisites.require(false, "docker-compose"))
        .isInstanceOf(expected)
        .hasMessageContaining("docker-compose is not available");
  }
}
