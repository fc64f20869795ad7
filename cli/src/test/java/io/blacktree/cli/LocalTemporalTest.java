package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalTemporalTest {

  @Test
  void defaultUiPort_anotherFrontendPort_isThatPortPlus1000() {
    assertThat(LocalTemporal.defaultUiPort(7233)).isEqualTo(8233);
    assertThat(LocalTemporal.defaultUiPort(17233)).isEqualTo(18233);
  }

  @Test
  void chooseWebUi_flagGiven_printedAsGivenWithoutProbing() {
    List<String> probed = new ArrayList<>();

    String ui = LocalTemporal.chooseWebUi("https://temporal-ui.internal", false, "http://127.0.0.1:18233",
        url -> probed.add(url));

    assertThat(ui).isEqualTo("https://temporal-ui.internal");
    assertThat(probed).isEmpty();
  }

  @Test
  void chooseWebUi_foundServerWithoutUiThere_none() {
    assertThat(LocalTemporal.chooseWebUi(null, false, "http://127.0.0.1:18233", url -> false)).isNull();
  }

  @Test
  void chooseWebUi_foundServerAnsweringOnItsUiPort_thatUi() {
    assertThat(LocalTemporal.chooseWebUi(null, false, "http://127.0.0.1:18233", url -> true))
        .isEqualTo("http://127.0.0.1:18233");
  }

  @Test
  void chooseWebUi_serverStartedHere_itsUi() {
    assertThat(LocalTemporal.chooseWebUi(null, true, "http://127.0.0.1:18233", url -> false))
        .isEqualTo("http://127.0.0.1:18233");
  }
}
