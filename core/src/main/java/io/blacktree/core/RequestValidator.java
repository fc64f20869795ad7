package io.blacktree.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;

/**
 * Checks a request against every rule of docs/request.md's field table and the deployment's
 * {@link ValidationPolicy}, reporting all violations at once (never just the first).
 */
public final class RequestValidator {
  private static final Pattern OWNER_NAME = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
  private static final Pattern TAG = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$");
  private static final Pattern ACCOUNT = Pattern.compile("^[0-9]{12}$");
  private static final Pattern ECR_REPO =
      Pattern.compile("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
  private static final Pattern REGION = Pattern.compile("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$");
  private static final Pattern REQUEST_ID = Pattern.compile("^[A-Za-z0-9_.:-]{1,128}$");
  private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}$");
  /** A Dockerfile stage name as BuildKit and the classic builder accept it in {@code FROM ... AS name}. */
  private static final Pattern TARGET = Pattern.compile("^[A-Za-z][A-Za-z0-9_.-]{0,127}$");
  private static final Pattern BUILD_ARG_KEY = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,127}$");
  private static final List<String> SECRET_WORDS = List.of("TOKEN", "SECRET", "PASSWORD", "KEY");
  private static final int MAX_BRANCH = 255;
  private static final int MAX_BUILD_ARGS = 64;
  private static final int MAX_BUILD_ARG_VALUE = 4096;
  private static final int MAX_TAGS = 10;
  private static final int MAX_PATH = 1024;
  private static final int MAX_REPO_URL = 512;

  private final ValidationPolicy policy;

  public RequestValidator(ValidationPolicy policy) {
    this.policy = policy;
  }

  /**
   * The request as the pipeline carries it from the intake on: the policy's default region filled in when it
   * has none (docs/request.md, after validation).
   */
  public BuildRequest withDefaults(BuildRequest r) {
    return r.withDefaultRegion(policy.defaultRegion());
  }

  /** Every violation of the request; empty when it is valid. */
  public List<Violation> validate(BuildRequest r) {
    List<Violation> out = new ArrayList<>();
    checkRepoUrl(r.repoUrl(), out);
    checkBranch(r.branch(), out);
    checkTag("deployment_version", r.deploymentVersion(), out);
    checkAccount(r.awsAccount(), out);
    checkEcrRepo(r.ecrRepo(), out);
    if (r.region() != null && !REGION.matcher(r.region()).matches()) {
      out.add(Violation.invalid("region", "must look like us-east-1"));
    }
    if (r.requestId() != null && !REQUEST_ID.matcher(r.requestId()).matches()) {
      out.add(Violation.invalid("request_id", "must be 1-128 of [A-Za-z0-9_.:-]"));
    }
    if (r.commit() != null && !SHA.matcher(r.commit()).matches()) {
      out.add(Violation.invalid("commit", "must be a full 40-hex lowercase SHA"));
    }
    checkRelativePath("dockerfile", r.dockerfile(), out);
    checkRelativePath("context", r.context(), out);
    if (r.target() != null && !TARGET.matcher(r.target()).matches()) {
      out.add(Violation.invalid("target", "must be a Dockerfile stage name: [A-Za-z][A-Za-z0-9_.-]{0,127}"));
    }
    checkBuildArgs(r.buildArgs(), out);
    checkTags(r.tags(), out);
    return out;
  }

  private void checkRepoUrl(String v, List<Violation> out) {
    if (missing("repo_url", v, out)) {
      return;
    }
    if (v.length() > MAX_REPO_URL) {
      out.add(Violation.invalid("repo_url", "must be at most " + MAX_REPO_URL + " characters"));
      return;
    }
    if (hasControl(v)) {
      out.add(Violation.invalid("repo_url", "must not contain control characters"));
      return;
    }
    if (v.startsWith("-")) {
      out.add(Violation.invalid("repo_url", "must not start with '-'"));
      return;
    }
    if (v.contains("..")) {
      out.add(Violation.invalid("repo_url", "must not contain '..'"));
      return;
    }
    if (!v.contains(":") && !v.startsWith("/")) {
      if (!OWNER_NAME.matcher(v).matches()) {
        out.add(Violation.invalid("repo_url", "must be owner/name or an https:// URL"));
      }
      return;
    }
    checkFullUrl(v, out);
  }

  private void checkFullUrl(String v, List<Violation> out) {
    URI uri;
    try {
      uri = new URI(v);
    } catch (URISyntaxException e) {
      out.add(Violation.invalid("repo_url", "is not a valid URL"));
      return;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean base = policy.gitBaseUrl().getScheme().equalsIgnoreCase(scheme);
    if (!scheme.equals("https") && !base) {
      out.add(Violation.policy("repo_url", "scheme '" + scheme + "' is not allowed (https only)"));
      return;
    }
    if (uri.getRawUserInfo() != null || uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
      out.add(Violation.policy("repo_url", "must not carry credentials (userinfo)"));
      return;
    }
    if (uri.getHost() == null || uri.getRawPath() == null || uri.getRawPath().length() < 2) {
      out.add(Violation.invalid("repo_url", "must name a host and a repository path"));
      return;
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      out.add(Violation.invalid("repo_url", "must not have a query or fragment"));
      return;
    }
    if (!policy.hostAllowed(uri.getHost())) {
      out.add(Violation.policy("repo_url", "host " + uri.getHost() + " is not on the allow-list"));
    }
  }

  private static void checkBranch(String v, List<Violation> out) {
    if (missing("branch", v, out)) {
      return;
    }
    if (v.length() > MAX_BRANCH) {
      out.add(Violation.invalid("branch", "must be at most " + MAX_BRANCH + " characters"));
    } else if (v.startsWith("-")) {
      out.add(Violation.invalid("branch", "must not start with '-'"));
    } else if (hasControl(v) || v.equals("@") || !Repository.isValidRefName("refs/heads/" + v)) {
      out.add(Violation.invalid("branch", "is not a valid git branch name"));
    }
  }

  private static void checkTag(String field, String v, List<Violation> out) {
    if (missing(field, v, out)) {
      return;
    }
    if (!TAG.matcher(v).matches()) {
      out.add(Violation.invalid(field, "must be a Docker tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"));
    }
  }

  private void checkAccount(String v, List<Violation> out) {
    if (missing("aws_account", v, out)) {
      return;
    }
    if (!ACCOUNT.matcher(v).matches()) {
      out.add(Violation.invalid("aws_account", "must be 12 digits"));
    } else if (!policy.allowedAccounts().isEmpty() && !policy.allowedAccounts().contains(v)) {
      out.add(Violation.policy("aws_account", "account " + v + " is not on the allow-list"));
    }
  }

  private static void checkEcrRepo(String v, List<Violation> out) {
    if (missing("ecr_repo", v, out)) {
      return;
    }
    if (v.length() < 2 || v.length() > 256 || !ECR_REPO.matcher(v).matches()) {
      out.add(Violation.invalid("ecr_repo", "must be an ECR repository name (2-256 of [a-z0-9._-/])"));
    }
  }

  private static void checkRelativePath(String field, String v, List<Violation> out) {
    if (v == null) {
      return;
    }
    if (v.isEmpty() || v.length() > MAX_PATH || hasControl(v) || v.indexOf('\\') >= 0) {
      out.add(Violation.invalid(field, "must be a non-empty relative path"));
    } else if (v.startsWith("/")) {
      out.add(Violation.policy(field, "must be relative to the checkout, not absolute"));
    } else if (List.of(v.split("/")).contains("..")) {
      out.add(Violation.policy(field, "must not contain '..'"));
    }
  }

  private static void checkBuildArgs(Map<String, String> args, List<Violation> out) {
    if (args == null) {
      return;
    }
    if (args.size() > MAX_BUILD_ARGS) {
      out.add(Violation.invalid("build_args", "at most " + MAX_BUILD_ARGS + " entries"));
      return;
    }
    for (Map.Entry<String, String> e : args.entrySet()) {
      String key = e.getKey();
      if (key == null || !BUILD_ARG_KEY.matcher(key).matches()) {
        out.add(Violation.invalid("build_args", "key must match [A-Za-z_][A-Za-z0-9_]*"));
      } else if (looksSecret(key)) {
        out.add(Violation.policy("build_args." + key,
            "looks like a secret; build args are visible in the image history"));
      } else if (e.getValue() == null || e.getValue().length() > MAX_BUILD_ARG_VALUE || hasControl(e.getValue())) {
        out.add(Violation.invalid("build_args." + key, "value must be a string of at most 4096 characters"));
      }
    }
  }

  private static void checkTags(List<String> tags, List<Violation> out) {
    if (tags == null) {
      return;
    }
    if (tags.size() > MAX_TAGS) {
      out.add(Violation.invalid("tags", "at most " + MAX_TAGS + " tags"));
      return;
    }
    for (int i = 0; i < tags.size(); i++) {
      checkTag("tags[" + i + "]", tags.get(i), out);
    }
  }

  /** True for a build-arg key that names a credential ({@code *TOKEN*}, {@code *SECRET*}, ...). */
  public static boolean looksSecret(String key) {
    String upper = key.toUpperCase(Locale.ROOT);
    return SECRET_WORDS.stream().anyMatch(upper::contains);
  }

  private static boolean missing(String field, String v, List<Violation> out) {
    if (v == null || v.isEmpty()) {
      out.add(Violation.invalid(field, "is required"));
      return true;
    }
    return false;
  }

  private static boolean hasControl(String v) {
    return v.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }
}
