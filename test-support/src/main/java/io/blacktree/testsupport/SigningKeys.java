package io.blacktree.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ECDSA P-256 key pairs made with the openssl CLI the way SECURITY.md tells an operator to: the private key as
 * SEC1 ({@code openssl ecparam -genkey}) or PKCS#8 ({@code ... | openssl pkcs8 -topk8 -nocrypt}), the public key
 * as {@code openssl ec -pubout} writes it (what {@code cosign verify-attestation --key} reads).
 */
public record SigningKeys(Path privateKey, Path publicKey) {
  /** The private key's PEM form. */
  public enum Format { SEC1, PKCS8 }

  /** A new key pair {@code name.key} / {@code name.pub} under {@code dir}. */
  public static SigningKeys create(Path dir, String name, Format format) throws IOException {
    Files.createDirectories(dir);
    Path sec1 = dir.resolve(name + ".sec1.pem");
    Path key = dir.resolve(name + ".key");
    Path pub = dir.resolve(name + ".pub");
    run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", sec1.toString());
    if (format == Format.PKCS8) {
      run(dir, "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", sec1.toString(), "-out", key.toString());
    } else {
      Files.copy(sec1, key);
    }
    run(dir, "openssl", "ec", "-in", sec1.toString(), "-pubout", "-out", pub.toString());
    return new SigningKeys(key, pub);
  }

  private static void run(Path dir, String... cmd) throws IOException {
    Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
  }
}
