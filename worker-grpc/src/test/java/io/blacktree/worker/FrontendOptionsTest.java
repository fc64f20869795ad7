package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FrontendOptionsTest {
  private static final BuildInputs IN = new BuildInputs(Path.of("/ws/ctx"), Path.of("/ws/ctx/docker/Dockerfile.prod"),
      Map.of("org.opencontainers.image.revision", "abc"));

  @Test
  void args_defaultLimits_builtInFrontendNoNetworkMemoryWithoutSwapAndCpuShares() {
    String args = String.join(" ", new FrontendOptions(WorkerConfig.builder().build().buildLimits())
        .args("", Map.of("MODE", "prod"), IN));

    assertThat(args).contains("--opt filename=Dockerfile.prod", "--opt cmdline=", "--opt force-network-mode=none",
        "--opt memory=2147483648", "--opt memswap=2147483648", "--opt cpushares=512", "--opt build-arg:MODE=prod",
        "--opt label:org.opencontainers.image.revision=abc").doesNotContain("cpusetcpus", "target=");
  }

  @Test
  void args_targetCpusetAndNoLimits_targetAndCpusetOnly() {
    String args = String.join(" ", new FrontendOptions(new BuildLimits("default", 0, 0, "0-1", 1L << 30, Set.of(),
        Set.of())).args("runtime", Map.of(), IN));

    assertThat(args).contains("--opt target=runtime", "--opt cpusetcpus=0-1", "--opt cmdline=")
        .doesNotContain("force-network-mode", "memory=", "memswap=", "cpushares=");
  }

  @Test
  void ignoredFrontend_syntaxDirectiveOrBuildArg_named() {
    assertThat(FrontendOptions.ignoredFrontend("# syntax=docker/dockerfile:1\nFROM scratch\n", Map.of()))
        .contains("docker/dockerfile:1 (# syntax= line)");
    assertThat(FrontendOptions.ignoredFrontend("# escape=`\n#syntax = x/y:2\nFROM scratch\n", Map.of()))
        .contains("x/y:2 (# syntax= line)");
    assertThat(FrontendOptions.ignoredFrontend("FROM scratch\n", Map.of("BUILDKIT_SYNTAX", "a/b")))
        .contains("a/b (build arg BUILDKIT_SYNTAX)");
  }

  @Test
  void ignoredFrontend_syntaxCommentAfterTheFirstInstruction_none() {
    assertThat(FrontendOptions.ignoredFrontend("FROM scratch\n# syntax=docker/dockerfile:1\n", Map.of()))
        .isEqualTo(Optional.empty());
    assertThat(FrontendOptions.ignoredFrontend("# a comment\n# syntax=docker/dockerfile:1\n", Map.of())).isEmpty();
  }
}
