package io.blacktree.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerChannelsTest {

  @Test
  void dialRefusal_plaintextNoTokenToRemoteWorker_refusedNamingTlsTokenAndOverride() throws Exception {
    WorkerChannels plain = new WorkerChannels(WorkerChannels.Settings.none(), Map.of());

    assertThat(plain.dialRefusal("10.0.0.7:50051")).hasValueSatisfying(m -> assertThat(m)
        .contains("10.0.0.7:50051").contains("--worker-tls-ca").contains("--worker-auth-token-file")
        .contains("--insecure-workers"));
    assertThat(plain.dialRefusal("build-1.internal:50051")).as("names are not trusted to be loopback").isPresent();
    assertThatThrownBy(() -> plain.open("10.0.0.7:50051")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dialRefusal_loopbackWorker_allowed() throws Exception {
    WorkerChannels plain = new WorkerChannels(WorkerChannels.Settings.none(), Map.of());

    for (String address : new String[] {"127.0.0.1:50051", "127.1.2.3:1", "localhost:50051", "[::1]:50051"}) {
      assertThat(plain.dialRefusal(address)).as(address).isEmpty();
    }
  }

  @Test
  void dialRefusal_tokenOrInsecureWorkers_allowed() throws Exception {
    WorkerChannels token = new WorkerChannels(WorkerChannels.Settings.none(),
        Map.of(WorkerChannels.TOKEN_ENV, "t-1"));
    WorkerChannels insecure = new WorkerChannels(new WorkerChannels.Settings(null, null, null, null, true), Map.of());

    assertThat(token.dialRefusal("10.0.0.7:50051")).isEmpty();
    assertThat(insecure.dialRefusal("10.0.0.7:50051")).isEmpty();
  }
}
