package io.blacktree.testsupport.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made at test time with the {@code openssl} CLI (EC P-256, 2 days):
 * {@link #issue} signs a leaf usable as server and client certificate for {@code localhost}/{@code 127.0.0.1}.
 */
public final class TestPki {
  /** A PEM certificate and its PKCS#8 key. */
  public record Leaf(Path cert, Path key) {}

  private final Path dir;
  /** The CA certificate (PEM), for trust stores. */
  public final Path caCert;
  private final Path caKey;

  private TestPki(Path dir, Path caCert, Path caKey) {
    this.dir = dir;
    this.caCert = caCert;
    this.caKey = caKey;
  }

  /** Whether the openssl CLI is on PATH. */
  public static boolean opensslAvailable() {
    try {
      return new ProcessBuilder("openssl", "version").start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A new CA named {@code name} under {@code dir/name}. */
  public static TestPki create(Path dir, String name) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    Path cert = d.resolve("ca.pem");
    Path key = d.resolve("ca.key");
    run(d, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name + "-ca");
    return new TestPki(d, cert, key);
  }

  /** A leaf certificate signed by this CA, for {@code localhost} and {@code 127.0.0.1}, server and client use. */
  public Leaf issue(String cn) throws IOException {
    Path key = dir.resolve(cn + ".key");
    Path csr = dir.resolve(cn + ".csr");
    Path cert = dir.resolve(cn + ".pem");
    Path ext = dir.resolve(cn + ".ext");
    Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        + "extendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n", StandardCharsets.UTF_8);
    run(dir, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + cn);
    run(dir, "openssl", "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
        "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
    return new Leaf(cert, key);
  }

  private static void run(Path dir, String... cmd) throws IOException {
    Path log = Files.createTempFile(dir, "openssl", ".log");
    Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", new ArrayList<>(List.of(cmd))) + " failed: " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
