package io.blacktree.activities;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LastHostsTest {
  @Test
  void get_nothingHeard_isEmpty() {
    assertThat(new LastHosts(4).get("acme/app")).isEmpty();
  }

  @Test
  void succeeded_laterSuccess_replacesTheHost() {
    LastHosts hosts = new LastHosts(4);
    hosts.succeeded("acme/app", "host-a");
    hosts.succeeded("acme/app", "host-b");

    assertThat(hosts.get("acme/app")).contains(new LastHosts.Known("host-b"));
  }

  @Test
  void succeeded_onAHostWithoutId_isKnownAsNoHost() {
    LastHosts hosts = new LastHosts(4);
    hosts.succeeded("acme/app", null);

    assertThat(hosts.get("acme/app")).contains(new LastHosts.Known(null));
  }

  @Test
  void lookedUp_afterAResult_keepsTheResult() {
    LastHosts hosts = new LastHosts(4);
    hosts.succeeded("acme/app", "host-new");
    hosts.lookedUp("acme/app", "host-old");

    assertThat(hosts.get("acme/app")).contains(new LastHosts.Known("host-new"));
  }

  @Test
  void succeeded_beyondCapacity_forgetsTheLeastRecentlyUsed() {
    LastHosts hosts = new LastHosts(2);
    hosts.succeeded("a/one", "h1");
    hosts.succeeded("a/two", "h2");
    hosts.get("a/one");
    hosts.succeeded("a/three", "h3");

    assertThat(hosts.get("a/two")).isEmpty();
    assertThat(hosts.get("a/one")).isEqualTo(Optional.of(new LastHosts.Known("h1")));
    assertThat(hosts.get("a/three")).isPresent();
  }
}
