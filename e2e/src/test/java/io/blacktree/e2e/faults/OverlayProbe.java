package io.blacktree.e2e.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether the kernel mounts overlayfs in a directory: {@code overlay2} (and BuildKit's overlayfs snapshotter)
 * need it, and inside some containers or on some filesystems it fails. Mounts a one-file lower directory,
 * reads the file through the mount and unmounts; the same probe {@code scripts/services} runs.
 */
final class OverlayProbe {
  private OverlayProbe() {}

  static boolean works(Path parent) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory(parent, "overlay-probe");
      Path lower = Files.createDirectories(dir.resolve("l"));
      Files.createDirectories(dir.resolve("u"));
      Files.createDirectories(dir.resolve("w"));
      Path merged = Files.createDirectories(dir.resolve("m"));
      Files.writeString(lower.resolve("file"), "probe");
      if (!run("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir=" + dir.resolve("u")
          + ",workdir=" + dir.resolve("w"), merged.toString())) {
        return false;
      }
      try {
        return Files.readString(merged.resolve("file")).equals("probe");
      } finally {
        run("umount", merged.toString());
      }
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      if (dir != null) {
        try {
          run("rm", "-rf", "--one-file-system", dir.toString());
        } catch (IOException | InterruptedException e) {
          // a leftover probe directory under the engine's temp dir is removed with it
        }
      }
    }
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
