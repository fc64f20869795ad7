package io.blacktree.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AmqpEndpointTest {

  @Test
  void redactedUrl_passwordInUrl_masked() {
    AmqpEndpoint e = AmqpEndpoint.of("amqps://bridge:s3cr3t-canary@rabbit.internal:5671/vh");

    assertThat(e.redactedUrl()).isEqualTo("amqps://bridge:***@rabbit.internal:5671/vh");
    assertThat(e.toString()).doesNotContain("s3cr3t-canary");
  }

  @Test
  void newFactory_passwordGivenApart_overridesUrlAndNeverPrinted() {
    AmqpEndpoint e = new AmqpEndpoint("amqp://bridge@127.0.0.1:5672", "from-file-canary", null, null, null);

    ConnectionFactory f = e.newFactory();

    assertThat(f.getUsername()).isEqualTo("bridge");
    assertThat(f.getPassword()).isEqualTo("from-file-canary");
    assertThat(e.toString()).doesNotContain("from-file-canary").contains("password ****");
  }

  @Test
  void problems_tlsFilesOnPlainUrlAndHalfACertificate_allListed() {
    AmqpEndpoint e = new AmqpEndpoint("amqp://u:p@h:5672", null, Path.of("/nonexistent/ca.pem"),
        Path.of("/nonexistent/c.pem"), null);

    assertThat(e.problems()).anyMatch(p -> p.contains("not amqps://"))
        .anyMatch(p -> p.contains("give both or neither"))
        .anyMatch(p -> p.contains("/nonexistent/ca.pem: is not a readable file"));
  }

  @Test
  void newFactory_notAnAmqpUrl_refusedWithoutEchoingThePassword() {
    assertThatThrownBy(() -> AmqpEndpoint.of("https://u:pw-canary@h").newFactory())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("pw-canary");
  }

  @Test
  void addresses_clusterOfThreeUrls_everyNodeInOrderWithTheFirstsCredentials() {
    AmqpEndpoint e = AmqpEndpoint.of(
        "amqp://bridge:pw-canary@rabbit-0:5673/vh, amqp://bridge@rabbit-1:5674/vh,amqp://bridge@rabbit-2/vh");

    assertThat(e.problems()).isEmpty();
    assertThat(e.addresses()).containsExactly(
        new Address("rabbit-0", 5673), new Address("rabbit-1", 5674), new Address("rabbit-2", 5672));
    ConnectionFactory f = e.newFactory();
    assertThat(f.getUsername()).isEqualTo("bridge");
    assertThat(f.getPassword()).isEqualTo("pw-canary");
    assertThat(f.getVirtualHost()).isEqualTo("vh");
    assertThat(e.redactedUrl()).doesNotContain("pw-canary");
  }

  @Test
  void problems_clusterUrlsDisagreeOnUserOrScheme_refusedNamingTheUrlWithoutPassword() {
    AmqpEndpoint e = AmqpEndpoint.of("amqp://bridge:pw-canary@h1:5672,amqps://other:pw-canary@h2:5671");

    assertThat(e.problems()).singleElement().asString()
        .contains("must share scheme, user and virtual host").contains("amqps://other:***@h2:5671")
        .doesNotContain("pw-canary");
    assertThatThrownBy(e::addresses).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void problems_emptyElementOrNoHost_refused() {
    assertThat(AmqpEndpoint.of(" , ").problems()).isNotEmpty();
    assertThat(AmqpEndpoint.of("amqp://h1:5672,amqp:///vh").problems()).anyMatch(p -> p.contains("names no host"));
  }
}
