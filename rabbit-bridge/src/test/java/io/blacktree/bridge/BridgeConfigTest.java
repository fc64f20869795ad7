package io.blacktree.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BridgeConfigTest {

  @Test
  void defaults_matchDesign() {
    BridgeApp.Config c = BridgeApp.Config.defaults();

    assertThat(c.amqpUrl()).isEqualTo("amqp://guest:guest@127.0.0.1:5672");
    assertThat(c.temporalTarget()).isEqualTo("127.0.0.1:7233");
    assertThat(c.namespace()).isEqualTo("default");
    assertThat(c.taskQueue()).isEqualTo("blacktree-deploy");
    assertThat(c.queueNames()).isEqualTo(new QueueNames("jobs.build", "jobs.build.dlq", "jobs.results"));
    assertThat(c.validationPolicy().gitBaseUrl()).isEqualTo(URI.create("https://github.com/"));
    assertThat(c.validationPolicy().allowedAccounts()).isEmpty();
    assertThat(c.defaultRegion()).isEqualTo("us-east-1");
  }

  @Test
  void builder_overrides_keepOtherDefaults() {
    BridgeApp.Config c = BridgeApp.Config.builder().queueNames(QueueNames.withPrefix("t.")).prefetch(3)
        .allowedAccounts(Set.of("123456789012")).build();

    assertThat(c.queueNames().buildQueue()).isEqualTo("t.jobs.build");
    assertThat(c.prefetch()).isEqualTo(3);
    assertThat(c.validationPolicy().allowedAccounts()).containsExactly("123456789012");
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void config_zeroPrefetch_isRefused() {
    assertThatThrownBy(() -> BridgeApp.Config.builder().prefetch(0).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void open_invalidUrlWithPassword_doesNotEchoIt() {
    assertThatThrownBy(() -> AmqpConnections.open("http://user:s3cret@host", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cret");
  }
}
