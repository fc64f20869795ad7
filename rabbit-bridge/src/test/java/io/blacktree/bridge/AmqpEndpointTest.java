package io.blacktree.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
