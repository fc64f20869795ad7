package io.blacktree.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogBufferTest {

  @Test
  void render_fewLines_keepsAllInOrder() {
    LogBuffer b = new LogBuffer(new SecretRedactor());
    b.add("one");
    b.add("two\nthree\n");
    assertThat(b.render()).isEqualTo("one\ntwo\nthree\n");
    assertThat(b.droppedLines()).isZero();
    assertThat(b.totalLines()).isEqualTo(3);
  }

  @Test
  void render_50MegabytesOfOutput_staysUnderCapWithHeadTailAndCount() {
    int cap = 64 * 1024;
    LogBuffer b = new LogBuffer(cap, new SecretRedactor());
    String filler = "x".repeat(100);
    int lines = 500_000; // ~50 MB
    for (int i = 0; i < lines; i++) {
      b.add("line " + i + " " + filler);
    }
    String out = b.render();
    assertThat(out.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(cap);
    assertThat(out).startsWith("line 0 ").contains("line " + (lines - 1) + " ");
    assertThat(out).contains("... " + b.droppedLines() + " lines dropped ...");
    assertThat(b.droppedLines()).isGreaterThan(lines - 1000L);
  }

  @Test
  void add_secretAndOverlongLine_redactedAndCut() {
    SecretRedactor r = new SecretRedactor();
    r.addSecret("s3cr3t-canary");
    LogBuffer b = new LogBuffer(r);
    b.add("token s3cr3t-canary");
    b.add("é".repeat(5000));
    String out = b.render();
    assertThat(out).doesNotContain("s3cr3t-canary").contains("****");
    assertThat(out).contains(" [cut]").doesNotContain("\uFFFD");
  }

  @Test
  void lastLines_returnsTail() {
    LogBuffer b = new LogBuffer(new SecretRedactor());
    for (int i = 0; i < 10; i++) {
      b.add("l" + i);
    }
    assertThat(b.lastLines(3)).containsExactly("l7", "l8", "l9");
  }
}
