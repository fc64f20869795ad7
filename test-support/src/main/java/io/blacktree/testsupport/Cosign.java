package io.blacktree.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cosign CLI that {@code scripts/services start} installs ({@code $BLACKTREE_HOME/go/bin/cosign}, else
 * {@code cosign} on PATH), run the way an offline verifier runs it: {@link #VERIFY_OFFLINE} skips the
 * transparency log (there is none offline, and Blacktree uploads to none) and allows the plain-HTTP loopback
 * registry. The cosign home ({@code HOME}) is a directory of the test's own, so no TUF cache is read or written.
 */
public final class Cosign {
  /** The flags {@code cosign verify-attestation --key} needs with no transparency log and an HTTP registry. */
  public static final List<String> VERIFY_OFFLINE =
      List.of("--insecure-ignore-tlog=true", "--allow-insecure-registry");

  /** What a run printed and how it ended. */
  public record Result(int exitCode, String output) {}

  private final Path binary;
  private final Path home;

  private Cosign(Path binary, Path home) {
    this.binary = binary;
    this.home = home;
  }

  /** The installed binary, or null when none is found. */
  public static Path find() {
    String blacktreeHome = System.getenv().getOrDefault("BLACKTREE_HOME", System.getProperty("user.home") + "/.blacktree");
    Path installed = Path.of(blacktreeHome, "go", "bin", "cosign");
    if (Files.isExecutable(installed)) {
      return installed;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "cosign");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** The installed cosign, failing (CI) or skipping the test when it is missing. */
  public static Cosign require(Path home) {
    Path binary = find();
    ServiceRequirement.requireThat(binary != null, "cosign (scripts/services start installs it)");
    return new Cosign(binary, home);
  }

  /**
   * {@code cosign verify-attestation --key PUB --type slsaprovenance1} + {@link #VERIFY_OFFLINE} on {@code image}.
   */
  public Result verifyAttestation(Path publicKey, String image) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("verify-attestation", "--key", publicKey.toString(),
        "--type", "slsaprovenance1"));
    args.addAll(VERIFY_OFFLINE);
    args.add(image);
    return run(args);
  }

  /** Runs cosign with {@code args} (120 s bound). */
  public Result run(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(args);
    Files.createDirectories(home);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("HOME", home.toString());
    pb.environment().put("TUF_ROOT", home.resolve("tuf").toString());
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("cosign " + String.join(" ", args) + " did not finish in 120 s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
