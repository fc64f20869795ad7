package io.blacktree.core;

import java.net.URI;
import java.util.Set;

/**
 * The deployment's own rules on top of the request format: where repos may come from, which AWS
 * accounts may be deployed to, the default region.
 *
 * @param gitBaseUrl      base URL an {@code owner/name} repo_url resolves against (ends with '/')
 * @param allowedGitHosts hosts a full https:// repo_url may name (the base URL's host is always allowed)
 * @param allowedAccounts AWS accounts allowed; empty = any 12-digit account
 * @param defaultRegion   region used when a request has none
 */
public record ValidationPolicy(
    URI gitBaseUrl, Set<String> allowedGitHosts, Set<String> allowedAccounts, String defaultRegion) {

  public static final URI DEFAULT_GIT_BASE_URL = URI.create("https://github.com/");
  public static final String DEFAULT_REGION = "us-east-1";
  public static final Set<String> DEFAULT_ALLOWED_GIT_HOSTS = Set.of("github.com");

  public ValidationPolicy {
    String base = gitBaseUrl.toString();
    if (!base.endsWith("/")) {
      gitBaseUrl = URI.create(base + "/");
    }
    allowedGitHosts = Set.copyOf(allowedGitHosts);
    allowedAccounts = Set.copyOf(allowedAccounts);
  }

  /** github.com, any account, us-east-1. */
  public static ValidationPolicy defaults() {
    return new ValidationPolicy(DEFAULT_GIT_BASE_URL, DEFAULT_ALLOWED_GIT_HOSTS, Set.of(), DEFAULT_REGION);
  }

  public boolean hostAllowed(String host) {
    return host != null
        && (host.equalsIgnoreCase(gitBaseUrl.getHost()) || allowedGitHosts.stream().anyMatch(host::equalsIgnoreCase));
  }

  /** The clone URL of a repo_url that passed validation. */
  public URI cloneUrl(String repoUrl) {
    if (repoUrl.contains("://")) {
      return URI.create(repoUrl);
    }
    return gitBaseUrl.resolve(repoUrl);
  }
}
