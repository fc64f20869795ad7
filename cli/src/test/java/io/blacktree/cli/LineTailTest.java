package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LineTailTest {

  @Test
  void newLines_slidingWindow_onlyLinesAfterOverlap() {
    assertThat(LineTail.newLines(List.of("a", "b", "c"), List.of("b", "c", "d", "e"))).containsExactly("d", "e");
  }

  @Test
  void newLines_noOverlap_everything() {
    assertThat(LineTail.newLines(List.of("a"), List.of("x", "y"))).containsExactly("x", "y");
  }

  @Test
  void newLines_unchanged_nothing() {
    assertThat(LineTail.newLines(List.of("a", "b"), List.of("a", "b"))).isEmpty();
  }
}
