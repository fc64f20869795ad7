package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class DockerfileTailTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HEAD = "FROM base:1\nWORKDIR /app\nCOPY deps.txt ./\nRUN make deps\nCOPY src/ ./src/\n";

  private static ObjectNode applied(DockerfileTail.Split split, String baseConfig) throws Exception {
    ObjectNode config = (ObjectNode) JSON.readTree(baseConfig);
    split.edits().applyTo(config);
    return config;
  }

  @Test
  void split_trailingExecCmd_buildsTheRestAndSetsCmd() throws Exception {
    DockerfileTail.Split s = DockerfileTail.split(HEAD + "CMD [\"/bin/sh\", \"/app/src/main.sh\"]\n", false);
    assertThat(s.buildable()).isEqualTo(HEAD);
    assertThat(s.peeled()).containsExactly("CMD [\"/bin/sh\", \"/app/src/main.sh\"]");
    assertThat(applied(s, "{\"Cmd\":[\"sh\"]}").toString()).isEqualTo("{\"Cmd\":[\"/bin/sh\",\"/app/src/main.sh\"]}");
  }

  @Test
  void split_shellFormAndSeveralKinds_appliedInOrderLikeTheBuilder() throws Exception {
    DockerfileTail.Split s = DockerfileTail.split(HEAD + "# trailing comment\n\nENV A=1 B=\"two words\"\n"
        + "EXPOSE 8080 53/UDP\nLABEL org.example.team=platform\nUSER app:app\nENV A=3\nCMD node server.js\n", false);
    assertThat(s.peeled()).hasSize(6);
    assertThat(s.buildable()).isEqualTo(HEAD + "# trailing comment\n\n");
    ObjectNode c = applied(s, "{\"Env\":[\"PATH=/bin\",\"A=0\"],\"Labels\":{\"x\":\"y\"}}");
    assertThat(c.get("Env").toString()).isEqualTo("[\"PATH=/bin\",\"A=3\",\"B=two words\"]");
    assertThat(c.get("ExposedPorts").toString()).isEqualTo("{\"8080/tcp\":{},\"53/udp\":{}}");
    assertThat(c.get("Labels").toString()).isEqualTo("{\"x\":\"y\",\"org.example.team\":\"platform\"}");
    assertThat(c.get("User").asText()).isEqualTo("app:app");
    assertThat(c.get("Cmd").toString()).isEqualTo("[\"/bin/sh\",\"-c\",\"node server.js\"]");
  }

  @Test
  void split_entrypointWithoutEarlierCmd_clearsTheInheritedCmd() throws Exception {
    DockerfileTail.Split s = DockerfileTail.split(HEAD + "ENTRYPOINT [\"/app/run\"]\n", false);
    ObjectNode c = applied(s, "{\"Cmd\":[\"/bin/sh\"]}");
    assertThat(c.has("Cmd")).isFalse();
    assertThat(c.get("Entrypoint").toString()).isEqualTo("[\"/app/run\"]");
  }

  @Test
  void split_entrypointAfterCmdInTheStage_keepsTheCmd() throws Exception {
    DockerfileTail.Split kept = DockerfileTail.split(HEAD + "CMD [\"--serve\"]\nRUN true\nENTRYPOINT [\"/app/run\"]\n", false);
    assertThat(applied(kept, "{\"Cmd\":[\"--serve\"]}").get("Cmd").toString()).isEqualTo("[\"--serve\"]");
    DockerfileTail.Split both = DockerfileTail.split(HEAD + "CMD [\"--serve\"]\nENTRYPOINT [\"/app/run\"]\n", false);
    assertThat(both.peeled()).hasSize(2);
    assertThat(applied(both, "{\"Cmd\":[\"/bin/sh\"]}").get("Cmd").toString()).isEqualTo("[\"--serve\"]");
  }

  @Test
  void split_onlyTheLastStageAndOnlyItsTail() {
    String text = "FROM base AS build\nRUN make\nCMD [\"x\"]\nFROM base\nCOPY --from=build /out /out\nRUN true\n"
        + "EXPOSE 80\nRUN echo after\nCMD [\"/out/app\"]\n";
    DockerfileTail.Split s = DockerfileTail.split(text, false);
    assertThat(s.peeled()).containsExactly("CMD [\"/out/app\"]");
    assertThat(s.buildable()).endsWith("RUN echo after\n");
  }

  @Test
  void split_whatCannotBeReadExactly_endsTheTail() {
    assertThat(DockerfileTail.split(HEAD + "RUN true\nENV HOME=$HOME/x\nCMD [\"a\"]\n", false).peeled())
        .containsExactly("CMD [\"a\"]");
    assertThat(DockerfileTail.split(HEAD + "EXPOSE 8000-8010\n", false).peeledAny()).isFalse();
    assertThat(DockerfileTail.split(HEAD + "LABEL legacy value\n", false).peeledAny()).isFalse();
    assertThat(DockerfileTail.split(HEAD + "ENV A='single'\n", false).peeledAny()).isFalse();
    assertThat(DockerfileTail.split(HEAD + "CMD [\"a\",\n  \"b\"]\n", false).peeledAny()).as("multi-line").isFalse();
    assertThat(DockerfileTail.split(HEAD + "CMD [\"a\", 1]\n", false).peeledAny()).isFalse();
    assertThat(DockerfileTail.split(HEAD + "HEALTHCHECK CMD true\n", false).peeledAny()).isFalse();
    assertThat(DockerfileTail.split(HEAD + "WORKDIR /srv\n", false).peeledAny()).isFalse();
  }

  @Test
  void split_fileLevelConditions_peelNothing() {
    assertThat(DockerfileTail.split("# escape=`\n" + HEAD + "CMD [\"a\"]\n", false).peeledAny()).isFalse();
    assertThat(DockerfileTail.split("FROM base\nSHELL [\"/bin/bash\", \"-c\"]\nRUN x\nCMD y\n", false).peeledAny()).isFalse();
    assertThat(DockerfileTail.split("FROM base\nCMD [\"a\"]\n", false).peeledAny()).as("nothing left to build").isFalse();
    assertThat(DockerfileTail.split("FROM base\nCOPY . /app\nCMD [\"a\"]\n", false).peeledAny()).as("COPY .").isFalse();
    assertThat(DockerfileTail.split("FROM base\nCOPY *.txt /app/\nCMD [\"a\"]\n", false).peeledAny()).isFalse();
    assertThat(DockerfileTail.split("FROM base\nADD ./ /app\nCMD [\"a\"]\n", false).peeledAny()).isFalse();
    assertThat(DockerfileTail.split("RUN x\nCMD [\"a\"]\n", false).peeledAny()).as("no FROM").isFalse();
  }

  @Test
  void split_sideFileHidden_copyOfTheWholeContextStillPeels() {
    String text = "FROM base\nCOPY . /app\nCMD [\"a\"]\n";
    assertThat(DockerfileTail.split(text, false).peeledAny()).isFalse();
    assertThat(DockerfileTail.split(text, true).peeled()).containsExactly("CMD [\"a\"]");
  }

  @Test
  void split_continuationLinesAndDirectives_keepLineRanges() {
    String text = "# syntax=docker/dockerfile:1\nFROM base\nRUN a \\\n  # a comment inside\n  && b\n"
        + "COPY [\"src\", \"/app/src\"]\nADD https://example.com/x.tgz /tmp/\nCMD [\"a\"]\n";
    DockerfileTail.Split s = DockerfileTail.split(text, false);
    assertThat(s.peeled()).containsExactly("CMD [\"a\"]");
    assertThat(s.buildable()).isEqualTo(text.substring(0, text.indexOf("CMD")));
  }
}
