package io.blacktree.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The kustomize binary {@code scripts/services} builds from the Go module proxy into
 * {@code $BLACKTREE_HOME/go/bin} (or one on PATH), run as {@code kustomize build DIR}.
 */
final class Kustomize {
  private final Path binary;

  private Kustomize(Path binary) {
    this.binary = binary;
  }

  /** The installed kustomize, if any. */
  static Optional<Kustomize> find() {
    String home = System.getenv().getOrDefault("BLACKTREE_HOME", System.getProperty("user.home") + "/.blacktree");
    Path installed = Path.of(home, "go", "bin", "kustomize");
    if (Files.isExecutable(installed)) {
      return Optional.of(new Kustomize(installed));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "kustomize");
      if (Files.isExecutable(candidate)) {
        return Optional.of(new Kustomize(candidate));
      }
    }
    return Optional.empty();
  }

  /**
   * The rendered YAML of the kustomization in {@code dir}.
   *
   * @throws IllegalStateException with kustomize's own message when the build fails
   */
  String build(Path dir) throws IOException, InterruptedException {
    Path err = Files.createTempFile("kustomize", ".err");
    try {
      Process p = new ProcessBuilder(binary.toString(), "build", dir.toString())
          .redirectError(err.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kustomize build " + dir + " did not finish in 120 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("kustomize build " + dir + " exited " + p.exitValue() + ": "
            + Files.readString(err).trim());
      }
      return out;
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
