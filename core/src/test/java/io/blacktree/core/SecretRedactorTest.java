package io.blacktree.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretRedactorTest {
  private final SecretRedactor redactor = new SecretRedactor();

  @Test
  void redact_knownSecret_maskedEverywhere() {
    redactor.addSecret("canary-Zx81");
    assertThat(redactor.redact("login with canary-Zx81 then canary-Zx81")).isEqualTo("login with **** then ****");
    String b64 = java.util.Base64.getEncoder().encodeToString("canary-Zx81".getBytes());
    assertThat(redactor.redact("auth " + b64)).isEqualTo("auth ****");
  }

  @Test
  void redact_urlUserinfo_masked() {
    assertThat(redactor.redact("fatal: https://bot:ghp_abc123@github.com/a/b.git not found"))
        .isEqualTo("fatal: https://****@github.com/a/b.git not found");
  }

  @Test
  void redact_authorizationHeaderAndAwsKey_masked() {
    assertThat(redactor.redact("Authorization: Basic QVdTOnNlY3JldHBhc3M="))
        .isEqualTo("Authorization: Basic ****");
    assertThat(redactor.redact("key AKIAABCDEFGHIJKLMNOP used")).isEqualTo("key **** used");
  }

  @Test
  void redact_keyValueSecrets_masked() {
    assertThat(redactor.redact("password=hunter2 token: abc.def DB_PASSWORD=\"x y\""))
        .isEqualTo("password=**** token: **** DB_PASSWORD=\"**** y\"");
  }

  @Test
  void redact_ordinaryBuildOutput_unchanged() {
    String line = "Step 3/5 : RUN [\"/bin/busybox\",\"sh\",\"-c\",\"echo hi\"]";
    assertThat(redactor.redact(line)).isEqualTo(line);
  }

  @Test
  void addSecret_tooShortOrNull_ignored() {
    redactor.addSecret(null);
    redactor.addSecret("ab");
    assertThat(redactor.redact("ab cd")).isEqualTo("ab cd");
  }
}
