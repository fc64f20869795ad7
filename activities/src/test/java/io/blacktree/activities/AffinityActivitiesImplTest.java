package io.blacktree.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Against a frontend address where nothing listens: any answer that comes back came from memory. */
class AffinityActivitiesImplTest {
  private final WorkflowServiceStubs nowhere = WorkflowServiceStubs.newServiceStubs(
      WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:9").build());

  @AfterEach
  void tearDown() {
    nowhere.shutdownNow();
  }

  @Test
  void lastHost_repositoryHeardOf_answersFromMemoryWithoutVisibility() {
    LastHosts known = new LastHosts(8);
    known.succeeded("acme/app", "host-a");

    String host = new AffinityActivitiesImpl(nowhere, "default", Duration.ofMillis(500), known).lastHost("acme/app");

    assertThat(host).isEqualTo("host-a");
  }

  @Test
  void lastHost_visibilityUnreachable_noHostAndNothingRemembered() {
    LastHosts known = new LastHosts(8);

    String host = new AffinityActivitiesImpl(nowhere, "default", Duration.ofMillis(500), known).lastHost("acme/app");

    assertThat(host).isNull();
    assertThat(known.get("acme/app")).as("a failed lookup is asked again next time").isEmpty();
  }
}
