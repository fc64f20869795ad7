package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BuildContainersTest {
  @Test
  void runningIn_classicBuilderLine_containerId() {
    assertThat(BuildContainers.runningIn(" ---> Running in 3f4e5d6c7b8a")).isEqualTo("3f4e5d6c7b8a");
  }

  @Test
  void runningIn_fullId_wholeId() {
    String id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    assertThat(BuildContainers.runningIn("---> Running in " + id + "\n")).isEqualTo(id);
  }

  @Test
  void runningIn_otherLines_null() {
    assertThat(BuildContainers.runningIn(" ---> Using cache")).isNull();
    assertThat(BuildContainers.runningIn("Removing intermediate container 3f4e5d6c7b8a")).isNull();
    assertThat(BuildContainers.runningIn("echo ---> Running in nothexid")).isNull();
    assertThat(BuildContainers.runningIn(null)).isNull();
  }
}
