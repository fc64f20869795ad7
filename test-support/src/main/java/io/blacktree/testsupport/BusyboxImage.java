package io.blacktree.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds a small image {@code FROM scratch} holding the static {@code /bin/busybox} (Debian package
 * busybox-static) with its applets linked into {@code /bin}, so {@code sh}, {@code echo}, {@code cat}... work.
 * Nothing is pulled: the engine here cannot reach any public registry.
 *
 * <p>Extra Dockerfile lines (LABEL, RUN ["/bin/sh","-c","..."], CMD) are appended after the base ones.
 */
public final class BusyboxImage {
  /** Where busybox-static installs the binary. */
  public static final Path BUSYBOX = Path.of("/bin/busybox");

  private static final List<String> BASE_LINES = List.of(
      "FROM scratch",
      "COPY busybox /bin/busybox",
      "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]",
      "ENV PATH=/bin",
      "CMD [\"/bin/sh\"]");

  /** An image that was built: its full ID ({@code sha256:...}) and the tag it was given. */
  public record Built(String id, String tag) {}

  private final DockerClient docker;

  public BusyboxImage(DockerClient docker) {
    this.docker = docker;
  }

  /** Builds the plain image and tags it {@code tag} (e.g. {@code bt-x-abc123/busybox:1}). */
  public Built build(String tag) {
    return build(tag, List.of());
  }

  /** Builds the image with extra Dockerfile lines; bounded to 5 minutes. */
  public Built build(String tag, List<String> extraDockerfileLines) {
    Path context = null;
    try {
      context = Files.createTempDirectory("bt-busybox-");
      Files.copy(BUSYBOX, context.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
      List<String> lines = new ArrayList<>(BASE_LINES);
      lines.addAll(extraDockerfileLines);
      Path dockerfile = Files.write(context.resolve("Dockerfile"), lines);
      // base directory first: the context tar is made when the Dockerfile is set
      String id = docker.buildImageCmd()
          .withBaseDirectory(context.toFile())
          .withDockerfile(dockerfile.toFile())
          .withTags(Set.of(tag))
          .withForcerm(true)
          .withPull(false)
          .exec(new BuildImageResultCallback())
          .awaitImageId(5, TimeUnit.MINUTES);
      // the build stream reports a short ID; the engine knows the full one
      return new Built(docker.inspectImageCmd(id).exec().getId(), tag);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the busybox build context (is busybox-static installed?)", e);
    } finally {
      deleteQuietly(context);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir left behind is harmless
    }
  }
}
