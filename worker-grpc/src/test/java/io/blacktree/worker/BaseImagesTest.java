package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BaseImagesTest {
  @Test
  void of_multiStageWithArgsAndScratch_listsEachExternalBaseOnce() {
    String dockerfile = """
        # syntax comment
        ARG BASE=127.0.0.1:5000/base:1
        ARG TOOL_TAG
        FROM --platform=linux/amd64 ${BASE} AS build
        RUN make
        FROM golang:${TOOL_TAG:-1.22} \\
          AS tools
        FROM build AS test
        FROM scratch
        COPY --from=build /out /out
        from 127.0.0.1:5000/base:1
        """;

    assertThat(BaseImages.of(dockerfile, Map.of("TOOL_TAG", "1.23")))
        .containsExactly("127.0.0.1:5000/base:1", "golang:1.23");
    assertThat(BaseImages.of(dockerfile, Map.of())).containsExactly("127.0.0.1:5000/base:1", "golang:1.22");
  }

  @Test
  void parse_references_splitIntoRegistryRepositoryTagDigest() {
    assertThat(BaseImages.parse("127.0.0.1:5000/a/b:1")).isEqualTo(
        new BaseImages.ImageRef("127.0.0.1:5000/a/b:1", "127.0.0.1:5000", "a/b", "1", null));
    assertThat(BaseImages.parse("alpine")).isEqualTo(new BaseImages.ImageRef("alpine", null, "alpine", "latest", null));
    assertThat(BaseImages.parse("ghcr.io/x/y@sha256:ab").digest()).isEqualTo("sha256:ab");
    assertThat(BaseImages.parse("localhost/y:2").registry()).isEqualTo("localhost");
  }

  @Test
  void digestFromRepoDigests_matchingRepository_thatDigest() {
    BaseImages.ImageRef ref = BaseImages.parse("127.0.0.1:5000/a:1");

    assertThat(BaseImages.digestFromRepoDigests(ref, List.of("127.0.0.1:5000/other@sha256:11",
        "127.0.0.1:5000/a@sha256:22"))).contains("sha256:22");
    assertThat(BaseImages.digestFromRepoDigests(BaseImages.parse("alpine:3"),
        List.of("alpine@sha256:33"))).contains("sha256:33");
  }
}
