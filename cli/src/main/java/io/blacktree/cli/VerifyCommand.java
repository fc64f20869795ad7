package io.blacktree.cli;

import io.blacktree.worker.RegistryAuth;
import io.blacktree.worker.provenance.AttestationStore;
import io.blacktree.worker.provenance.DsseEnvelope;
import io.blacktree.worker.provenance.EcKeys;
import io.blacktree.worker.provenance.ProvenanceVerifier;
import io.blacktree.worker.provenance.ProvenanceVerifier.Policy;
import io.blacktree.worker.provenance.RegistryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code blacktree verify IMAGE --key PUB}: checks the SLSA provenance a build worker attached to an image. The tag
 * is resolved to the digest it holds now; the attestation for that digest must be signed by {@code --key}, be
 * Blacktree's build type, name that digest as its subject, and match {@code --repo}, {@code --branch} or
 * {@code --commit}, and {@code --workflow} when given. Exit 0 verified, 1 rejected (the reason is printed),
 * 2 usage, 3 registry unreachable or refusing the credentials.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Verify an image's signed SLSA provenance (its attestation's signature, subject digest and policy).")
final class VerifyCommand implements Callable<Integer> {
  @Parameters(paramLabel = "IMAGE", description = "host[:port]/repository[:tag | @sha256:...] (tag default latest).")
  String image;

  @Option(names = "--key", required = true, paramLabel = "PUB",
      description = "PEM public key of the build hosts' signing key (openssl ec -pubout; cosign.pub).")
  Path key;

  @Option(names = "--repo", description = "Require this source repository (owner/name as requested, or its URL).")
  String repo;

  @Option(names = "--branch", description = "Require this branch.")
  String branch;

  @Option(names = "--commit", description = "Require this commit (full SHA or a prefix of at least 7).")
  String commit;

  @Option(names = "--workflow", description = "Require that this workflow ID built it.")
  String workflow;

  @Option(names = "--registry-user", description = "Registry user (default anonymous).")
  String registryUser;

  @Option(names = "--registry-password", arity = "1",
      description = "Registry password (prefer env BLACKTREE_REGISTRY_PASSWORD).")
  String registryPassword;

  @Spec CommandSpec spec;

  /** {@code IMAGE} split into the registry host, the repository and the tag or digest. */
  record ImageName(String host, String repository, String reference) {
    static ImageName parse(String image) throws CliException {
      int slash = image.indexOf('/');
      String host = slash > 0 ? image.substring(0, slash) : "";
      if (!host.contains(".") && !host.contains(":") && !host.equals("localhost")) {
        throw CliException.badInput("IMAGE must name its registry: host[:port]/repository[:tag], got '" + image + "'");
      }
      String rest = image.substring(slash + 1);
      int at = rest.indexOf('@');
      if (at >= 0) {
        return new ImageName(host, rest.substring(0, at), rest.substring(at + 1));
      }
      int colon = rest.lastIndexOf(':');
      if (colon > rest.lastIndexOf('/')) {
        return new ImageName(host, rest.substring(0, colon), rest.substring(colon + 1));
      }
      return new ImageName(host, rest, "latest");
    }
  }

  @Override
  public Integer call() throws CliException {
    if (branch != null && commit != null) {
      throw CliException.badInput("--branch and --commit: give one");
    }
    if (registryPassword != null && registryUser == null) {
      throw CliException.badInput("--registry-password needs --registry-user");
    }
    ImageName name = ImageName.parse(image);
    PublicKey publicKey;
    try {
      publicKey = EcKeys.readPublicKey(key);
    } catch (IOException e) {
      throw CliException.badInput("--key: " + e.getMessage());
    }
    RegistryAuth auth = RegistryAuth.of(name.host(), registryUser, registryPassword);
    AttestationStore store = new AttestationStore(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String digest;
    List<DsseEnvelope> envelopes;
    try {
      var manifest = store.manifest(auth, name.repository(), name.reference());
      if (manifest.isEmpty()) {
        err.println("verification FAILED for " + image + ": the registry has no such image");
        err.flush();
        return ExitCode.JOB_FAILED;
      }
      digest = manifest.get().digest();
      envelopes = store.attestations(auth, name.repository(), digest);
    } catch (RegistryException.Denied e) {
      throw new CliException(ExitCode.UNREACHABLE, "registry refused the credentials: " + e.getMessage());
    } catch (RegistryException e) {
      throw new CliException(ExitCode.UNREACHABLE, e.getMessage());
    }
    ProvenanceVerifier.Verdict verdict = ProvenanceVerifier.verify(envelopes, publicKey, digest,
        new Policy(repo, branch, commit, workflow));
    if (verdict instanceof ProvenanceVerifier.Verified v) {
      out.println("verified: " + name.host() + "/" + name.repository() + "@" + digest);
      out.println("  built by " + v.builderId() + " from " + v.repository() + " branch " + v.branch() + " commit "
          + v.commitSha());
      out.println("  invocation " + v.invocationId());
      out.flush();
      return ExitCode.OK;
    }
    err.println("verification FAILED for " + image + " (" + digest + "): "
        + ((ProvenanceVerifier.Rejected) verdict).reason());
    err.flush();
    return ExitCode.JOB_FAILED;
  }
}
