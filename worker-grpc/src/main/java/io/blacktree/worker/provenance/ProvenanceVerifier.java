package io.blacktree.worker.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.List;

/**
 * Decides whether an image's attestations prove it: an envelope signed by {@code key} whose statement is a
 * SLSA v1 provenance of Blacktree's build type, whose subject is the image's current digest, and whose
 * parameters meet the {@link Policy}. The first reason an envelope fails is what a rejection reports.
 */
public final class ProvenanceVerifier {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the caller requires; a null field is not checked. {@code commit} may be a prefix of 7+ hex digits. */
  public record Policy(String repository, String branch, String commit, String workflowId) {
    public static final Policy ANY = new Policy(null, null, null, null);
  }

  /** The outcome. */
  public sealed interface Verdict permits Verified, Rejected {}

  /** Every check passed; what the statement says. */
  public record Verified(String repository, String branch, String commitSha, String invocationId,
      String builderId) implements Verdict {}

  /** A check failed; {@code reason} says which and why. */
  public record Rejected(String reason) implements Verdict {}

  private ProvenanceVerifier() {}

  /** Checks {@code envelopes} (the image's attestations) against {@code imageDigest} ({@code sha256:<hex>}). */
  public static Verdict verify(List<DsseEnvelope> envelopes, PublicKey key, String imageDigest, Policy policy) {
    if (envelopes.isEmpty()) {
      return new Rejected("no attestation is attached to " + imageDigest);
    }
    String firstReason = null;
    for (DsseEnvelope envelope : envelopes) {
      Verdict v = verifyOne(envelope, key, imageDigest, policy);
      if (v instanceof Verified) {
        return v;
      }
      if (firstReason == null) {
        firstReason = ((Rejected) v).reason();
      }
    }
    return new Rejected(firstReason);
  }

  private static Verdict verifyOne(DsseEnvelope envelope, PublicKey key, String imageDigest, Policy policy) {
    if (!DsseEnvelope.IN_TOTO.equals(envelope.payloadType())) {
      return new Rejected("attestation payload type is " + envelope.payloadType() + ", not " + DsseEnvelope.IN_TOTO);
    }
    if (envelope.signatures().isEmpty()) {
      return new Rejected("the attestation is unsigned (its build host had no signing key)");
    }
    if (envelope.signatures().stream().noneMatch(s -> signedBy(envelope, s, key))) {
      return new Rejected("the attestation's signature does not verify with the given public key");
    }
    JsonNode statement;
    try {
      statement = JSON.readTree(envelope.payload());
    } catch (IOException e) {
      return new Rejected("the signed payload is not JSON");
    }
    return checkStatement(statement, imageDigest, policy);
  }

  private static boolean signedBy(DsseEnvelope envelope, DsseEnvelope.Signature sig, PublicKey key) {
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initVerify(key);
      ecdsa.update(envelope.pae());
      return ecdsa.verify(sig.sig());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static Verdict checkStatement(JsonNode st, String imageDigest, Policy policy) {
    if (!ProvenanceStatement.STATEMENT_TYPE.equals(st.path("_type").asText())) {
      return new Rejected("statement type is '" + st.path("_type").asText() + "', not in-toto Statement v1");
    }
    if (!ProvenanceStatement.PREDICATE_TYPE.equals(st.path("predicateType").asText())) {
      return new Rejected("predicate type is '" + st.path("predicateType").asText() + "', not SLSA provenance v1");
    }
    String hex = imageDigest.substring(imageDigest.indexOf(':') + 1);
    boolean subjectMatches = false;
    StringBuilder subjects = new StringBuilder();
    for (JsonNode s : st.path("subject")) {
      String d = s.path("digest").path("sha256").asText("");
      subjects.append(subjects.length() == 0 ? "" : ", ").append("sha256:").append(d);
      subjectMatches |= d.equals(hex);
    }
    if (!subjectMatches) {
      return new Rejected("the attestation is for " + subjects + ", not for the image's current digest " + imageDigest);
    }
    JsonNode predicate = st.path("predicate");
    JsonNode definition = predicate.path("buildDefinition");
    String builderId = predicate.path("runDetails").path("builder").path("id").asText("");
    if (!ProvenanceStatement.BUILD_TYPE.equals(definition.path("buildType").asText())
        || !builderId.startsWith(ProvenanceStatement.BUILDER_ID_PREFIX)) {
      return new Rejected("not built by Blacktree (build type '" + definition.path("buildType").asText()
          + "', builder '" + builderId + "')");
    }
    JsonNode external = definition.path("externalParameters");
    String repository = external.path("repository").asText("");
    String branch = external.path("branch").asText("");
    JsonNode source = definition.path("resolvedDependencies").path(0);
    String sourceUri = source.path("uri").asText("");
    String commit = source.path("digest").path("gitCommit").asText("");
    String invocation = predicate.path("runDetails").path("metadata").path("invocationId").asText("");
    if (policy.repository() != null && !sameRepository(policy.repository(), repository, sourceUri)) {
      return new Rejected("built from repository " + repository + " (" + sourceUri + "), not " + policy.repository());
    }
    if (policy.branch() != null && !policy.branch().equals(branch)) {
      return new Rejected("built from branch " + branch + ", not " + policy.branch());
    }
    if (policy.commit() != null && !sameCommit(policy.commit(), commit)) {
      return new Rejected("built from commit " + commit + ", not " + policy.commit());
    }
    if (policy.workflowId() != null
        && !invocation.startsWith(policy.workflowId() + ProvenanceStatement.ATTEMPT_SEPARATOR)) {
      return new Rejected("built by invocation " + invocation + ", not by workflow " + policy.workflowId());
    }
    return new Verified(repository, branch, commit, invocation, builderId);
  }

  /** {@code wanted} is the requested repository ({@code owner/name}) or the clone URL, with or without {@code .git}. */
  private static boolean sameRepository(String wanted, String repository, String sourceUri) {
    String w = trimGit(wanted);
    if (w.equals(trimGit(repository))) {
      return true;
    }
    String url = sourceUri.startsWith("git+") ? sourceUri.substring(4) : sourceUri;
    int at = url.lastIndexOf("@refs/");
    url = trimGit(at < 0 ? url : url.substring(0, at));
    return url.equals(w) || url.endsWith("/" + w);
  }

  private static String trimGit(String s) {
    String t = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    return t.endsWith(".git") ? t.substring(0, t.length() - 4) : t;
  }

  private static boolean sameCommit(String wanted, String commit) {
    String w = wanted.toLowerCase(java.util.Locale.ROOT);
    return w.length() >= 7 && !commit.isEmpty() && commit.startsWith(w);
  }
}
