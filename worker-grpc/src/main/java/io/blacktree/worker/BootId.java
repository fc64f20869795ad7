package io.blacktree.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The kernel's boot id ({@code /proc/sys/kernel/random/boot_id}), new at every boot. A record stamped with it says
 * whether the machine restarted since it was written: a power loss or a kernel crash loses the writes still in the
 * page cache, and always means a new boot; a process crash loses none. Where the kernel has no boot id, a value of
 * this process's own stands in, so records of an earlier process are never trusted.
 */
final class BootId {
  private static final Path SOURCE = Path.of("/proc/sys/kernel/random/boot_id");
  private static final String CURRENT = read();

  private BootId() {}

  /** This boot's id: no spaces, the same for the life of the process. */
  static String current() {
    return CURRENT;
  }

  private static String read() {
    try {
      String id = Files.readString(SOURCE, StandardCharsets.US_ASCII).strip();
      if (!id.isEmpty() && id.chars().noneMatch(Character::isWhitespace)) {
        return id;
      }
    } catch (IOException | SecurityException e) {
      // no boot id: fall through to this process's own
    }
    return "process-" + UUID.randomUUID();
  }
}
