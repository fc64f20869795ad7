package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.testsupport.PrivateBuildKit;
import io.blacktree.testsupport.ServiceRequirement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which copy of the context buildkitd syncs into: one per kept tree with a buildctl that can say so. */
class ContextSharingTest {
  @TempDir Path dir;

  @Test
  void args_keptTreeAndThePinnedBuildctl_sharedKeyOfTheContextPath() throws Exception {
    ServiceRequirement.requireThat(Files.isExecutable(PrivateBuildKit.buildctl()),
        PrivateBuildKit.buildctl() + " (scripts/services start buildkit builds it)");
    ContextSharing sharing = new ContextSharing(PrivateBuildKit.buildctl());
    Path tree = Files.createDirectories(dir.resolve("sources/abc"));
    List<String> log = new ArrayList<>();

    try (Workspace ws = Workspace.create(dir.resolve("work"), tree)) {
      List<String> args = sharing.args(ws, tree, log::add);

      assertThat(args).containsExactly("--shared-key", ContextSharing.key(tree));
      assertThat(log).singleElement().asString().contains(ContextSharing.key(tree));
    }
  }

  @Test
  void args_freshCheckout_noKey() throws Exception {
    ContextSharing sharing = new ContextSharing(fakeBuildctl("   --shared-key string\n"));

    try (Workspace ws = Workspace.create(dir.resolve("work"), null)) {
      assertThat(sharing.args(ws, ws.checkout(), s -> { })).isEmpty();
    }
  }

  @Test
  void args_stockBuildctl_noKeyAndTheJobLogSaysWhy() throws Exception {
    // a buildctl built without the flag prints its other build options
    ContextSharing sharing = new ContextSharing(fakeBuildctl("   --progress string\n"));
    Path tree = Files.createDirectories(dir.resolve("sources/abc"));
    List<String> log = new ArrayList<>();

    try (Workspace ws = Workspace.create(dir.resolve("work"), tree)) {
      assertThat(sharing.args(ws, tree, log::add)).isEmpty();
      assertThat(log).singleElement().asString().contains("has no --shared-key");
    }
  }

  @Test
  void key_samePathSameKey_otherPathOtherKey() {
    assertThat(ContextSharing.key(Path.of("/w/sources/a"))).isEqualTo(ContextSharing.key(Path.of("/w/sources/./a")))
        .isNotEqualTo(ContextSharing.key(Path.of("/w/sources/b")))
        .matches("blacktree-[0-9a-f]{32}");
  }

  /** A program whose {@code build --help} prints {@code help}, as a buildctl of another build would. */
  private Path fakeBuildctl(String help) throws Exception {
    Path script = dir.resolve("buildctl-" + help.hashCode());
    Files.writeString(script, "#!/bin/sh\ncat <<'EOF'\n" + help + "EOF\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }
}
