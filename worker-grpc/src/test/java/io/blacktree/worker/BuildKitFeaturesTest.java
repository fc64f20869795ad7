package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BuildKitFeaturesTest {
  @Test
  void used_cacheMountHeredocChmodLink_namesEach() {
    String dockerfile = """
        FROM scratch
        RUN --mount=type=cache,target=/root/.cache ["/bin/busybox", "true"]
        RUN <<EOF
        echo hi
        EOF
        COPY --chmod=0755 run.sh /run.sh
        COPY --link app /app
        """;

    assertThat(BuildKitFeatures.used(dockerfile, "")).containsExactly("RUN --mount=type=cache (cache mount)",
        "heredoc (RUN <<EOF)", "COPY --chmod", "COPY --link");
  }

  @Test
  void used_unusedNamedStage_namesTheStage() {
    String dockerfile = """
        FROM scratch AS broken
        RUN ["/bin/busybox", "false"]
        FROM scratch AS build
        COPY a /a
        FROM scratch
        COPY --from=build /a /a
        """;

    assertThat(BuildKitFeatures.used(dockerfile, "")).singleElement().asString().contains("stage 'broken'");
  }

  @Test
  void used_classicDockerfile_none() {
    String dockerfile = """
        FROM scratch AS build
        COPY a /a
        FROM scratch
        COPY --from=build /a /a
        RUN ["/bin/busybox", "echo", "<<not a heredoc"]
        """;

    assertThat(BuildKitFeatures.used(dockerfile, "")).isEmpty();
  }

  @Test
  void used_targetStage_onlyStagesBeforeItThatItDoesNotNeedAreNamed() {
    String dockerfile = """
        FROM scratch AS base
        COPY a /a
        FROM scratch AS broken
        RUN ["/bin/busybox", "false"]
        FROM base AS test
        COPY b /b
        FROM scratch AS release
        COPY --from=test /a /a
        """;

    assertThat(BuildKitFeatures.used(dockerfile, "Test")).singleElement().asString().contains("stage 'broken'");
    assertThat(BuildKitFeatures.used(dockerfile, "base")).isEmpty();
  }
}
