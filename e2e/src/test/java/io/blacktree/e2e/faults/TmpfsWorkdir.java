package io.blacktree.e2e.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Mounts and unmounts the 20 MiB tmpfs a {@link FaultStack} puts on its worker's workdir (needs root). */
final class TmpfsWorkdir {
  private TmpfsWorkdir() {
  }

  /** Mounts a 20 MiB tmpfs on {@code dir}; returns null or why it could not. */
  static String mount(Path dir) throws InterruptedException {
    try {
      Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", dir.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return "mount -t tmpfs -o size=20m tmpfs " + dir + " failed (needs root; CI runs as root): " + out.strip();
      }
      return null;
    } catch (IOException e) {
      return "mount not runnable: " + e.getMessage();
    }
  }

  /** Unmounts {@code dir}, lazily if a plain unmount fails; leaves it mounted if umount cannot run. */
  static void unmount(Path dir) {
    try {
      Process p = new ProcessBuilder("umount", dir.toString()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        new ProcessBuilder("umount", "-l", dir.toString()).start().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      // left mounted: the temp dir cleanup reports it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
