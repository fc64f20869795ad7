package io.blacktree.worker.provenance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Writes the in-toto Statement v1 with a SLSA Provenance v1 predicate for one pushed image. It records only
 * what a verifier needs and nothing secret: build-arg NAMES (never values), the repository URL without any
 * userinfo, no registry or git credentials (none of them is an input here).
 *
 * <p>Layout: {@code subject} = the image repository and its manifest digest; {@code buildDefinition}:
 * {@link #BUILD_TYPE}, {@code externalParameters} (repository as requested, branch, commit if requested,
 * deploymentVersion, dockerfile, context, buildArgs names, target if any), {@code internalParameters.jobId},
 * {@code resolvedDependencies} (the source as {@code git+<url>@refs/heads/<branch>} with its gitCommit, then every
 * base image by digest); {@code runDetails}: builder id {@code urn:blacktree:worker:<worker id>}, invocation id
 * {@code <workflow id>/attempt/<n>}, startedOn and finishedOn.
 */
public final class ProvenanceStatement {
  public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";
  public static final String BUILD_TYPE = "https://blacktree.io/provenance/deploy-job/v1";
  public static final String BUILDER_ID_PREFIX = "urn:blacktree:worker:";
  /** Between the workflow ID and the attempt number in {@code invocationId}. */
  public static final String ATTEMPT_SEPARATOR = "/attempt/";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The pushed image: repository ({@code host/name}, no tag) and manifest digest ({@code sha256:<hex>}). */
  public record Subject(String repository, String digest) {}

  /** Where the source came from: the request's repository, its clone URL, branch, requested and built commit. */
  public record Source(String repository, URI url, String branch, String requestedCommit, String commitSha) {}

  /** How it was built; {@code buildArgNames} are names only, {@code target} null when none was asked for. */
  public record Recipe(String deploymentVersion, String dockerfile, String context, List<String> buildArgNames,
      String target) {
    public Recipe {
      buildArgNames = buildArgNames.stream().sorted().toList();
    }
  }

  /** A {@code FROM} image as written (after ARG substitution) and its manifest digest, null if unresolved. */
  public record BaseImage(String reference, String digest) {}

  /** Who ran the build and when: the worker's id and version, the workflow, attempt and job. */
  public record Invocation(String workerId, String workerVersion, String workflowId, int attempt, String jobId,
      Instant startedOn, Instant finishedOn) {}

  private ProvenanceStatement() {}

  /** The statement as JSON bytes (field order fixed). */
  public static byte[] toJson(Subject subject, Source source, Recipe recipe, List<BaseImage> bases,
      Invocation run) {
    ObjectNode root = JSON.createObjectNode();
    root.put("_type", STATEMENT_TYPE);
    ObjectNode s = root.putArray("subject").addObject();
    s.put("name", subject.repository());
    s.putObject("digest").put(algorithm(subject.digest()), hex(subject.digest()));
    root.put("predicateType", PREDICATE_TYPE);
    ObjectNode predicate = root.putObject("predicate");
    ObjectNode definition = predicate.putObject("buildDefinition");
    definition.put("buildType", BUILD_TYPE);
    ObjectNode external = definition.putObject("externalParameters");
    external.put("repository", source.repository());
    external.put("branch", source.branch());
    if (source.requestedCommit() != null && !source.requestedCommit().isEmpty()) {
      external.put("commit", source.requestedCommit());
    }
    external.put("deploymentVersion", recipe.deploymentVersion());
    external.put("dockerfile", recipe.dockerfile());
    external.put("context", recipe.context());
    ArrayNode args = external.putArray("buildArgs");
    recipe.buildArgNames().forEach(args::add);
    if (recipe.target() != null && !recipe.target().isEmpty()) {
      external.put("target", recipe.target());
    }
    definition.putObject("internalParameters").put("jobId", run.jobId());
    ArrayNode deps = definition.putArray("resolvedDependencies");
    ObjectNode src = deps.addObject();
    src.put("uri", "git+" + withoutUserInfo(source.url()) + "@refs/heads/" + source.branch());
    src.putObject("digest").put("gitCommit", source.commitSha());
    for (BaseImage base : bases) {
      ObjectNode b = deps.addObject();
      b.put("name", base.reference());
      b.put("uri", "docker://" + base.reference());
      if (base.digest() != null) {
        b.putObject("digest").put(algorithm(base.digest()), hex(base.digest()));
      }
    }
    ObjectNode details = predicate.putObject("runDetails");
    ObjectNode builder = details.putObject("builder");
    builder.put("id", BUILDER_ID_PREFIX + run.workerId());
    builder.putObject("version").put("blacktree", run.workerVersion());
    ObjectNode metadata = details.putObject("metadata");
    metadata.put("invocationId", run.workflowId() + ATTEMPT_SEPARATOR + run.attempt());
    metadata.put("startedOn", run.startedOn().toString());
    metadata.put("finishedOn", run.finishedOn().toString());
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("a tree of strings always serializes", e);
    }
  }

  /** {@code url} without user info, query or fragment (a token can never reach the statement through it). */
  static String withoutUserInfo(URI url) {
    try {
      return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null).toString();
    } catch (URISyntaxException e) {
      return Objects.toString(url.getScheme(), "") + "://" + url.getHost() + url.getPath();
    }
  }

  private static String algorithm(String digest) {
    int colon = digest.indexOf(':');
    return colon < 0 ? "sha256" : digest.substring(0, colon);
  }

  private static String hex(String digest) {
    return digest.substring(digest.indexOf(':') + 1);
  }
}
