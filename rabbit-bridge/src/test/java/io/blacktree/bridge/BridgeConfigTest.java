package io.blacktree.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blacktree.core.ValidationPolicy;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BridgeConfigTest {

  @Test
  void defaults_matchDesign() {
    BridgeConfig c = BridgeConfig.builder().build();

    assertThat(c.taskQueue()).isEqualTo("blacktree-deploy");
    assertThat(c.queueNames()).isEqualTo(new QueueNames("jobs.build", "jobs.build.dlq", "jobs.results"));
    assertThat(c.policy().gitBaseUrl()).isEqualTo(URI.create("https://github.com/"));
    assertThat(c.policy().allowedGitHosts()).containsExactly("github.com");
    assertThat(c.policy().allowedAccounts()).isEmpty();
    assertThat(c.policy().defaultRegion()).isEqualTo("us-east-1");
    assertThat(c.prefetch()).isEqualTo(10);
    assertThat(c.deliveryLimit()).isEqualTo(20);
  }

  @Test
  void builder_overrides_keepOtherDefaults() {
    BridgeConfig c = BridgeConfig.builder().queueNames(QueueNames.withPrefix("t.")).prefetch(3)
        .policy(new ValidationPolicy(ValidationPolicy.DEFAULT_GIT_BASE_URL, ValidationPolicy.DEFAULT_ALLOWED_GIT_HOSTS,
            Set.of("123456789012"), ValidationPolicy.DEFAULT_REGION)).build();

    assertThat(c.queueNames().buildQueue()).isEqualTo("t.jobs.build");
    assertThat(c.prefetch()).isEqualTo(3);
    assertThat(c.policy().allowedAccounts()).containsExactly("123456789012");
  }

  @Test
  void config_zeroPrefetch_isRefused() {
    assertThatThrownBy(() -> BridgeConfig.builder().prefetch(0).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void open_invalidUrlWithPassword_doesNotEchoIt() {
    assertThatThrownBy(() -> AmqpConnections.open("http://user:s3cret@host", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cret");
  }
}
