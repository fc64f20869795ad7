package io.blacktree.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the worker signs the provenance it attaches to every pushed image.
 *
 * @param signingKeyFile PEM ECDSA P-256 private key ({@code --signing-key-file}); null = attestations are attached
 *                       unsigned and every result says so
 * @param requireSigning refuse to start without a readable key ({@code --require-signing}, for production)
 */
public record ProvenanceConfig(Path signingKeyFile, boolean requireSigning) {
  /** Every problem at once; empty when usable (the key file itself is read when the worker starts). */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (requireSigning && signingKeyFile == null) {
      out.add("signingKeyFile: is required when signing is required (--require-signing)");
    }
    return out;
  }

  @Override
  public String toString() {
    return signingKeyFile == null ? "unsigned" + (requireSigning ? " (signing required)" : "")
        : "signed with key file " + signingKeyFile + (requireSigning ? " (required)" : "");
  }
}
