package io.blacktree.worker.provenance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads ECDSA P-256 keys from PEM files with the JDK alone: a private key as PKCS#8 ({@code BEGIN PRIVATE KEY},
 * what {@code openssl pkcs8 -topk8 -nocrypt} writes) or SEC1 ({@code BEGIN EC PRIVATE KEY}, what
 * {@code openssl ecparam -genkey} writes; an {@code EC PARAMETERS} block before it is skipped), and a public key
 * as SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}, what {@code openssl ec -pubout} and
 * {@code cosign generate-key-pair} write). Encrypted private keys (cosign's own format, PKCS#8 with a passphrase)
 * are refused with a message saying how to produce a plain one. Error messages name the file, never its content.
 */
public final class EcKeys {
  /** The order n of P-256 (secp256r1 / prime256v1). */
  private static final BigInteger P256_ORDER =
      new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
  /** AlgorithmIdentifier {id-ecPublicKey, prime256v1} as DER. */
  private static final byte[] EC_P256_ALGORITHM = HexFormat.of().parseHex("301306072a8648ce3d020106082a8648ce3d030107");
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private EcKeys() {}

  /** The P-256 private key in {@code file}. */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(pem);
    while (m.find()) {
      String type = m.group(1);
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      switch (type) {
        case "PRIVATE KEY" -> {
          return checkP256(privateKey(der, file), file);
        }
        case "EC PRIVATE KEY" -> {
          return checkP256(privateKey(sec1ToPkcs8(der), file), file);
        }
        case "EC PARAMETERS" -> {
          // openssl ecparam -genkey writes the curve's parameters first; the key follows
        }
        default -> {
          if (type.contains("ENCRYPTED")) {
            throw new IOException(file + ": the private key is encrypted (" + type + "); give the build host a plain "
                + "PKCS#8 or SEC1 PEM key, e.g. openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 "
                + "-topk8 -nocrypt");
          }
          throw new IOException(file + ": a PEM block of type " + type + " is not an EC private key");
        }
      }
    }
    throw new IOException(file + ": no PEM private key found");
  }

  /** The P-256 public key in {@code file} (PEM {@code PUBLIC KEY}). */
  public static PublicKey readPublicKey(Path file) throws IOException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(pem);
    if (!m.find() || !m.group(1).equals("PUBLIC KEY")) {
      throw new IOException(file + ": no PEM PUBLIC KEY block found");
    }
    try {
      PublicKey key = KeyFactory.getInstance("EC")
          .generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(2))));
      return checkP256(key, file);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException(file + ": not an EC public key (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static PrivateKey privateKey(byte[] pkcs8, Path file) throws IOException {
    try {
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": not an EC private key (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static <K extends ECKey> K checkP256(Object key, Path file) throws IOException {
    if (!(key instanceof ECKey ec) || !ec.getParams().getOrder().equals(P256_ORDER)) {
      throw new IOException(file + ": the key is not on curve P-256 (prime256v1), which cosign needs");
    }
    @SuppressWarnings("unchecked")
    K k = (K) key;
    return k;
  }

  /** Wraps a SEC1 ECPrivateKey in a PKCS#8 PrivateKeyInfo for P-256 (the JDK reads only PKCS#8). */
  static byte[] sec1ToPkcs8(byte[] sec1) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(EC_P256_ALGORITHM);
    body.writeBytes(derTlv(0x04, sec1));
    return derTlv(0x30, body.toByteArray());
  }

  private static byte[] derTlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xff);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
