package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blacktree.worker.JobFailure.PolicyFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckoutPathsTest {
  @TempDir Path checkout;
  @TempDir Path outside;

  @Test
  void resolveInside_plainRelativePath_resolvedInCheckout() throws Exception {
    Files.createDirectories(checkout.resolve("app"));
    Files.writeString(checkout.resolve("app/Dockerfile"), "FROM scratch");
    assertThat(CheckoutPaths.resolveInside(checkout, "dockerfile", "app/Dockerfile"))
        .isEqualTo(checkout.toRealPath().resolve("app/Dockerfile"));
  }

  @Test
  void resolveInside_dotDot_refused() {
    assertThatThrownBy(() -> CheckoutPaths.resolveInside(checkout, "context", "../x"))
        .isInstanceOf(PolicyFailure.class).hasMessageContaining("context");
  }

  @Test
  void resolveInside_absolute_refused() {
    assertThatThrownBy(() -> CheckoutPaths.resolveInside(checkout, "dockerfile", "/etc/passwd"))
        .isInstanceOf(PolicyFailure.class);
  }

  @Test
  void resolveInside_symlinkedDirectoryOut_refused() throws Exception {
    Files.createSymbolicLink(checkout.resolve("link"), outside);
    Files.writeString(outside.resolve("Dockerfile"), "FROM scratch");
    assertThatThrownBy(() -> CheckoutPaths.resolveInside(checkout, "dockerfile", "link/Dockerfile"))
        .isInstanceOf(PolicyFailure.class).hasMessageContaining("symlink");
  }

  @Test
  void resolveInside_symlinkedFileOut_refused() throws Exception {
    Files.writeString(outside.resolve("secret"), "x");
    Files.createSymbolicLink(checkout.resolve("Dockerfile"), outside.resolve("secret"));
    assertThatThrownBy(() -> CheckoutPaths.resolveInside(checkout, "dockerfile", "Dockerfile"))
        .isInstanceOf(PolicyFailure.class);
  }

  @Test
  void resolveInside_danglingSymlinkOut_refused() throws Exception {
    Files.createSymbolicLink(checkout.resolve("Dockerfile"), Path.of("/nonexistent/elsewhere"));
    assertThatThrownBy(() -> CheckoutPaths.resolveInside(checkout, "dockerfile", "Dockerfile"))
        .isInstanceOf(PolicyFailure.class);
  }

  @Test
  void resolveInside_symlinkWithinCheckout_allowed() throws Exception {
    Files.createDirectories(checkout.resolve("real"));
    Files.createSymbolicLink(checkout.resolve("alias"), Path.of("real"));
    assertThat(CheckoutPaths.resolveInside(checkout, "context", "alias"))
        .isEqualTo(checkout.toRealPath().resolve("real"));
  }
}
