package io.blacktree.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets a process listens on, as the kernel shows them: the socket inodes among the process's open
 * file descriptors ({@code /proc/<pid>/fd -> socket:[inode]}) matched with the LISTEN entries (state {@code 0A})
 * of {@code /proc/net/tcp} and {@code /proc/net/tcp6}. Linux only.
 */
public final class ListeningSockets {
  /** One listening socket: its local address and port. */
  public record Listener(InetAddress address, int port) {
    public boolean loopback() {
      return address.isLoopbackAddress();
    }

    @Override
    public String toString() {
      return address.getHostAddress() + ":" + port;
    }
  }

  private ListeningSockets() {}

  /** Every TCP socket {@code pid} listens on. */
  public static List<Listener> of(long pid) {
    Set<String> inodes = socketInodes(pid);
    List<Listener> out = new ArrayList<>();
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && "0A".equals(f[3]) && inodes.contains(f[9])) {
            out.add(parse(f[1]));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  private static Set<String> socketInodes(long pid) {
    Set<String> inodes = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException e) {
          // the descriptor closed while listing
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return inodes;
  }

  /** {@code 0100007F:1F90} (IPv4) or 32 hex digits (IPv6), each 32-bit word in host (little-endian) order. */
  private static Listener parse(String local) {
    String[] hostPort = local.split(":");
    String hex = hostPort[0];
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = word * 8 + (3 - i) * 2;
        bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    try {
      return new Listener(InetAddress.getByAddress(bytes), new BigInteger(hostPort[1], 16).intValue());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("bad address in /proc/net: " + local, e);
    }
  }
}
