package io.blacktree.cli;

import io.blacktree.core.ValidationPolicy;
import java.net.URI;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Where repos may come from and which AWS accounts may be deployed to: the rules both the bridge (at the intake)
 * and the worker (again, at its gRPC edge) apply. Shared by {@code worker}, {@code bridge} and {@code dev}.
 */
final class PolicyOptions {
  @Option(names = "--git-base-url",
      description = "Base URL of owner/name repos, e.g. git://127.0.0.1:9419/ (default https://github.com/).")
  URI gitBaseUrl;

  @Option(names = "--git-allowed-hosts", split = ",",
      description = "Hosts a full https:// repo_url may name (default github.com).")
  List<String> gitAllowedHosts;

  @Option(names = "--allowed-accounts", split = ",", description = "AWS accounts allowed (default any).")
  List<String> allowedAccounts;

  /** {@code base} with the given flags and {@code region} (null: the base's) over it. */
  ValidationPolicy over(ValidationPolicy base, String region) {
    return new ValidationPolicy(gitBaseUrl != null ? gitBaseUrl : base.gitBaseUrl(),
        gitAllowedHosts != null ? Set.copyOf(gitAllowedHosts) : base.allowedGitHosts(),
        allowedAccounts != null ? Set.copyOf(allowedAccounts) : base.allowedAccounts(),
        region != null ? region : base.defaultRegion());
  }
}
