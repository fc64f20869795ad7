package io.blacktree.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blacktree.core.BuildRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The request {@code submit} publishes: from flags, or a JSON file sent as it is. */
final class RequestOptions {
  static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The request's fields as flags, or a file; the bridge validates the request, not this command. */
  static final class Source {
    @Option(names = "--file", paramLabel = "FILE.json",
        description = "Publish this JSON body as it is, instead of the field flags (env BLACKTREE_FILE).")
    Path file;

    @Option(names = "--repo", description = "repo_url: owner/name or an https:// URL (env BLACKTREE_REPO).")
    String repo;

    @Option(names = "--branch", description = "branch to build (env BLACKTREE_BRANCH).")
    String branch;

    @Option(names = "--version", description = "deployment_version, the image tag (env BLACKTREE_VERSION).")
    String version;

    @Option(names = "--account", description = "aws_account, 12 digits (env BLACKTREE_ACCOUNT).")
    String account;

    @Option(names = "--ecr-repo", description = "ecr_repo (env BLACKTREE_ECR_REPO).")
    String ecrRepo;

    @Option(names = "--region", description = "region (default: the bridge's; env BLACKTREE_REGION).")
    String region;

    @Option(names = "--commit", description = "40-hex commit SHA to build instead of the branch head.")
    String commit;

    @Option(names = "--request-id", description = "request_id, echoed in the result.")
    String requestId;

    BuildRequest toRequest() throws CliException {
      java.util.List<String> missing = new java.util.ArrayList<>();
      if (repo == null) {
        missing.add("--repo");
      }
      if (branch == null) {
        missing.add("--branch");
      }
      if (version == null) {
        missing.add("--version");
      }
      if (account == null) {
        missing.add("--account");
      }
      if (ecrRepo == null) {
        missing.add("--ecr-repo");
      }
      if (!missing.isEmpty()) {
        throw CliException.badInput("missing " + String.join(", ", missing) + " (or --file)");
      }
      return new BuildRequest(repo, branch, version, account, ecrRepo, region, requestId, commit,
          null, null, null, null, null);
    }
  }

  private RequestOptions() {}

  /** The message body to publish. */
  static byte[] body(Source source) throws CliException {
    if (source.file != null) {
      try {
        return Files.readAllBytes(source.file);
      } catch (IOException e) {
        throw CliException.badInput("cannot read " + source.file + ": " + e.getMessage());
      }
    }
    try {
      return JSON.writeValueAsBytes(source.toRequest());
    } catch (IOException e) {
      throw new IllegalStateException("a BuildRequest always serialises", e);
    }
  }

  /** The body read as a request, if it is one (an invalid body is still published: the bridge rejects it). */
  static Optional<BuildRequest> parse(byte[] body) {
    try {
      return Optional.ofNullable(JSON.readValue(body, BuildRequest.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
