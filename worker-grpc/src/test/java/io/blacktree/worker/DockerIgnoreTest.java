package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DockerIgnoreTest {
  private static DockerIgnore ignore(String text) {
    return DockerIgnore.parse(text, "Dockerfile");
  }

  @Test
  void excludes_starWithinOneSegment_matchesOnlyThatLevel() {
    DockerIgnore d = ignore("*.log\n");
    assertThat(d.excludes("a.log")).isTrue();
    assertThat(d.excludes("dir/a.log")).isFalse();
  }

  @Test
  void excludes_doubleStar_matchesAnyDepthIncludingNone() {
    DockerIgnore d = ignore("**/*.tmp\n");
    assertThat(d.excludes("x.tmp")).isTrue();
    assertThat(d.excludes("a/b/c/x.tmp")).isTrue();
    assertThat(d.excludes("a/b/x.txt")).isFalse();
  }

  @Test
  void excludes_questionMark_matchesOneCharacterNotSlash() {
    DockerIgnore d = ignore("file?.txt\n");
    assertThat(d.excludes("file1.txt")).isTrue();
    assertThat(d.excludes("file12.txt")).isFalse();
    assertThat(d.excludes("file/.txt")).isFalse();
  }

  @Test
  void excludes_directoryPattern_excludesEverythingBelow() {
    DockerIgnore d = ignore("build/\nnode_modules\n");
    assertThat(d.excludes("build/out/app.jar")).isTrue();
    assertThat(d.excludes("node_modules/x/index.js")).isTrue();
    assertThat(d.mayIncludeUnder("node_modules")).isFalse();
  }

  @Test
  void excludes_exceptionAfterExclusion_reincludesAndLastMatchWins() {
    DockerIgnore d = ignore("build\n!build/keep.txt\n*.md\n!README.md\nREADME.md\n");
    assertThat(d.excludes("build/drop.txt")).isTrue();
    assertThat(d.excludes("build/keep.txt")).isFalse();
    assertThat(d.mayIncludeUnder("build")).isTrue();
    assertThat(d.excludes("CHANGES.md")).isTrue();
    assertThat(d.excludes("README.md")).isTrue();
  }

  @Test
  void parse_leadingSlashDotSlashCommentsAndBlanks_cleanedAndSkipped() {
    DockerIgnore d = ignore("# a comment\n\n  /secret.txt  \n./tmp/../cache/\n");
    assertThat(d.excludes("secret.txt")).isTrue();
    assertThat(d.excludes("cache/x")).isTrue();
    assertThat(d.excludes("# a comment")).isFalse();
    assertThat(d.excludes("tmp/x")).isFalse();
  }

  @Test
  void excludes_dockerfileAndDockerignore_alwaysSent() {
    DockerIgnore d = DockerIgnore.parse("*\n", "docker/Dockerfile.prod");
    assertThat(d.excludes("anything")).isTrue();
    assertThat(d.excludes(".dockerignore")).isFalse();
    assertThat(d.excludes("docker/Dockerfile.prod")).isFalse();
    assertThat(d.mayIncludeUnder("docker")).isTrue();
    assertThat(d.mayIncludeUnder("src")).isFalse();
  }

  @Test
  void excludes_characterClassAndEscape_matchLikeDocker() {
    DockerIgnore d = ignore("log[0-9].txt\nlit\\*eral\n[!a]x\n");
    assertThat(d.excludes("log5.txt")).isTrue();
    assertThat(d.excludes("logx.txt")).isFalse();
    assertThat(d.excludes("lit*eral")).isTrue();
    assertThat(d.excludes("litXeral")).isFalse();
    assertThat(d.excludes("bx")).isTrue();
    assertThat(d.excludes("ax")).isFalse();
  }

  @Test
  void excludes_noPatterns_nothingExcluded(@org.junit.jupiter.api.io.TempDir java.nio.file.Path context)
      throws java.io.IOException {
    assertThat(ignore("# only a comment\n").excludes("x")).isFalse();
    assertThat(DockerIgnore.load(context, "Dockerfile").excludes(".git")).isFalse();
  }
}
