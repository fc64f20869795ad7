package io.blacktree.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestValidatorTest {
  private final RequestValidator validator = new RequestValidator(ValidationPolicy.defaults());

  private static BuildRequest valid() {
    return TestRequests.of("username/reponame", "main", "v1.0.3", "123456789012", "app-images");
  }

  private static List<String> render(List<Violation> violations) {
    return violations.stream().map(Violation::toString).toList();
  }

  @Test
  void validate_designExampleWith12DigitAccount_noViolations() {
    assertThat(validator.validate(valid())).isEmpty();
  }

  @Test
  void validate_designExampleAsSentToday_tenDigitAccountRejected() {
    BuildRequest r = TestRequests.of("username/reponame", "main", "v1.0.3", "1234567890", "app-images");
    assertThat(render(validator.validate(r))).containsExactly("aws_account: must be 12 digits");
  }

  @Test
  void validate_everyFieldMissing_reportsAllAtOnce() {
    BuildRequest r = TestRequests.of(null, "", null, null, null);
    assertThat(validator.validate(r)).extracting(Violation::field)
        .containsExactlyInAnyOrder("repo_url", "branch", "deployment_version", "aws_account", "ecr_repo");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "file:///etc/passwd", "ext::sh -c touch% /tmp/pwned", "ssh://git@github.com/a/b",
      "git@github.com:a/b.git", "-uhelp/x", "https://user:pw@github.com/a/b", "https://token@github.com/a/b",
      "http://github.com/a/b", "https://evil.example.com/a/b", "a/../b", "../../etc", "a/b\n", "a\u0000/b",
      "a/b/c", "owner", "/abs/path", "https://github.com/a/b?x=1", "https://github.com"})
  void validate_hostileRepoUrl_rejected(String repoUrl) {
    BuildRequest r = TestRequests.of(repoUrl, "main", "v1", "123456789012", "app");
    assertThat(validator.validate(r)).extracting(Violation::field).containsExactly("repo_url");
  }

  @Test
  void validate_overlongRepoUrl_rejected() {
    BuildRequest r = TestRequests.of("o/" + "n".repeat(600), "main", "v1", "123456789012", "app");
    assertThat(validator.validate(r).toString()).contains("repo_url: must be at most 512 characters");
  }

  @Test
  void validate_disallowedHostAndUserinfo_arePolicyViolations() {
    BuildRequest host = TestRequests.of("https://evil.example.com/a/b", "main", "v1", "123456789012", "app");
    BuildRequest scheme = TestRequests.of("file:///etc", "main", "v1", "123456789012", "app");
    assertThat(validator.validate(host)).extracting(Violation::kind).containsExactly(ErrorKind.POLICY_VIOLATION);
    assertThat(validator.validate(scheme)).extracting(Violation::kind).containsExactly(ErrorKind.POLICY_VIOLATION);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://github.com/owner/name", "https://github.com/owner/name.git", "o.w-n_er/na.me"})
  void validate_goodRepoUrl_accepted(String repoUrl) {
    BuildRequest r = TestRequests.of(repoUrl, "main", "v1", "123456789012", "app");
    assertThat(validator.validate(r)).isEmpty();
  }

  @Test
  void validate_allowListedHostAndBaseScheme_accepted() {
    ValidationPolicy policy = new ValidationPolicy(
        URI.create("http://127.0.0.1:9418/"), Set.of("git.internal"), Set.of(), "eu-west-1");
    RequestValidator v = new RequestValidator(policy);
    assertThat(v.validate(TestRequests.of("http://127.0.0.1:9418/a/b", "main", "v1", "123456789012", "app")))
        .isEmpty();
    assertThat(v.validate(TestRequests.of("https://git.internal/a/b", "main", "v1", "123456789012", "app")))
        .isEmpty();
    assertThat(policy.cloneUrl("a/b")).hasToString("http://127.0.0.1:9418/a/b");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-main", "a..b", "a b", "a~b", "a^b", "a:b", "a?b", "a*b", "a[b", "a\\b", "a.lock",
      "a/", "/a", "a//b", "@", "a@{b", "a\tb", "a.", ".a"})
  void validate_badBranch_rejected(String branch) {
    BuildRequest r = TestRequests.of("o/n", branch, "v1", "123456789012", "app");
    assertThat(validator.validate(r)).extracting(Violation::field).containsExactly("branch");
  }

  @Test
  void validate_longBranch_rejected() {
    BuildRequest r = TestRequests.of("o/n", "b".repeat(256), "v1", "123456789012", "app");
    assertThat(render(validator.validate(r))).containsExactly("branch: must be at most 255 characters");
  }

  @ParameterizedTest
  @ValueSource(strings = {"feature/x-1", "release-2026.11", "main", "v1.0"})
  void validate_goodBranch_accepted(String branch) {
    assertThat(validator.validate(TestRequests.of("o/n", branch, "v1", "123456789012", "app"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {".v1", "-v1", "v1/2", "v 1", "v1:latest", "ü"})
  void validate_badDeploymentVersion_rejected(String version) {
    BuildRequest r = TestRequests.of("o/n", "main", version, "123456789012", "app");
    assertThat(validator.validate(r)).extracting(Violation::field).containsExactly("deployment_version");
  }

  @Test
  void validate_versionOf129Chars_rejected() {
    BuildRequest r = TestRequests.of("o/n", "main", "v".repeat(129), "123456789012", "app");
    assertThat(validator.validate(r)).hasSize(1);
    assertThat(validator.validate(TestRequests.of("o/n", "main", "v".repeat(128), "123456789012", "app"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"12345678901", "1234567890123", "12345678901a", " 123456789012", "١٢٣٤٥٦٧٨٩٠١٢"})
  void validate_badAccount_rejected(String account) {
    BuildRequest r = TestRequests.of("o/n", "main", "v1", account, "app");
    assertThat(render(validator.validate(r))).containsExactly("aws_account: must be 12 digits");
  }

  @Test
  void validate_accountNotOnAllowList_policyViolation() {
    ValidationPolicy policy = new ValidationPolicy(
        ValidationPolicy.DEFAULT_GIT_BASE_URL, Set.of(), Set.of("111111111111"), "us-east-1");
    List<Violation> v = new RequestValidator(policy).validate(valid());
    assertThat(v).extracting(Violation::kind).containsExactly(ErrorKind.POLICY_VIOLATION);
    assertThat(v.get(0).field()).isEqualTo("aws_account");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "App", "app_", "/app", "app/", "a//b", "a..b", "app images", "-app"})
  void validate_badEcrRepo_rejected(String repo) {
    BuildRequest r = TestRequests.of("o/n", "main", "v1", "123456789012", repo);
    assertThat(validator.validate(r)).extracting(Violation::field).containsExactly("ecr_repo");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ab", "team/app-images", "a.b_c-d/e"})
  void validate_goodEcrRepo_accepted(String repo) {
    assertThat(validator.validate(TestRequests.of("o/n", "main", "v1", "123456789012", repo))).isEmpty();
  }

  @Test
  void validate_optionalFieldsBroken_eachNamed() {
    BuildRequest r = new BuildRequest("o/n", "main", "v1", "123456789012", "app", "US-EAST-1", "id with space",
        "ABC", "/etc/Dockerfile", "../..", "-stage", Map.of("GITHUB_TOKEN", "x"), List.of("ok", "-bad"));
    assertThat(validator.validate(r)).extracting(Violation::field).containsExactlyInAnyOrder(
        "region", "request_id", "commit", "dockerfile", "context", "target", "build_args.GITHUB_TOKEN", "tags[1]");
  }

  @Test
  void validate_optionalFieldsGood_accepted() {
    BuildRequest r = new BuildRequest("o/n", "main", "v1", "123456789012", "app", "us-gov-west-1", "api:42",
        "0123456789abcdef0123456789abcdef01234567", "docker/Dockerfile.prod", "app", "Runtime-stage_2.x",
        Map.of("MODE", "prod"), List.of("latest", "stable"));
    assertThat(validator.validate(r)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"API_KEY", "npm_token", "DbPassword", "client_secret", "SSH_KEY_FILE"})
  void validate_secretLookingBuildArg_refusedAsPolicy(String key) {
    BuildRequest r = new BuildRequest("o/n", "main", "v1", "123456789012", "app", null, null, null, null, null, null,
        Map.of(key, "value"), null);
    List<Violation> v = validator.validate(r);
    assertThat(v).extracting(Violation::kind).containsExactly(ErrorKind.POLICY_VIOLATION);
    assertThat(v.get(0).reason()).contains("image history");
  }

  @Test
  void validate_tooManyBuildArgsAndTags_rejected() {
    Map<String, String> args = new HashMap<>();
    IntStream.range(0, 65).forEach(i -> args.put("A" + i, "v"));
    List<String> tags = IntStream.range(0, 11).mapToObj(i -> "t" + i).toList();
    BuildRequest r = new BuildRequest("o/n", "main", "v1", "123456789012", "app", null, null, null, null, null, null,
        args, tags);
    assertThat(render(validator.validate(r)))
        .containsExactlyInAnyOrder("build_args: at most 64 entries", "tags: at most 10 tags");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/../../b", "..", "a\\..\\b", "", "a\nb"})
  void validate_dockerfileEscapes_rejected(String path) {
    BuildRequest r = new BuildRequest("o/n", "main", "v1", "123456789012", "app", null, null, null, path, null,
        null, null, null);
    assertThat(validator.validate(r)).extracting(Violation::field).containsExactly("dockerfile");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-stage", "2nd", "a b", "stage\n", "--target=x", "a/b",
      "sxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
          + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
  void validate_badTarget_rejectedNamingTarget(String target) {
    BuildRequest r = new BuildRequest("o/n", "main", "v1", "123456789012", "app", null, null, null, null, null,
        target, null, null);
    List<Violation> v = validator.validate(r);
    assertThat(v).extracting(Violation::field).containsExactly("target");
    assertThat(v).extracting(Violation::kind).containsExactly(ErrorKind.INVALID_REQUEST);
  }

  @ParameterizedTest
  @ValueSource(strings = {"runtime", "Build", "stage-2", "a_b.c"})
  void validate_stageNameTarget_accepted(String target) {
    BuildRequest r = new BuildRequest("o/n", "main", "v1", "123456789012", "app", null, null, null, null, null,
        target, null, null);
    assertThat(validator.validate(r)).isEmpty();
  }
}
