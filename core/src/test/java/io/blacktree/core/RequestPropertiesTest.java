package io.blacktree.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.RequestParser.Accepted;
import io.blacktree.core.RequestParser.Parsed;
import io.blacktree.core.RequestParser.Rejected;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.eclipse.jgit.lib.Repository;

/**
 * Properties of intake over generated input: nothing escapes the parser but a validation verdict, and
 * every request it accepts satisfies docs/request.md's rules, re-checked here independently.
 */
class RequestPropertiesTest {
  private static final Pattern OWNER_NAME = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
  private static final Pattern ECR =
      Pattern.compile("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");

  private final RequestParser parser = new RequestParser(new RequestValidator(ValidationPolicy.defaults()));

  @Property(tries = 2000)
  void parse_arbitraryBytes_onlyEverAVerdict(@ForAll byte[] body) {
    Parsed p = parser.parse(body);
    assertThat(p).isInstanceOfAny(Accepted.class, Rejected.class);
    if (p instanceof Rejected r) {
      assertThat(r.violations()).isNotEmpty();
    }
  }

  @Property(tries = 3000)
  void parse_generatedRequests_acceptedOnesKeepEveryRule(@ForAll("requests") String json) {
    Parsed p = parser.parse(json.getBytes(StandardCharsets.UTF_8));
    Statistics.collect(p instanceof Accepted ? "accepted" : "rejected");
    Statistics.coverage(c -> c.check("accepted").count(n -> n > 0));
    if (p instanceof Accepted a) {
      BuildRequest r = a.request();
      assertThat(r.repoUrl()).matches(OWNER_NAME).doesNotContain("..").doesNotStartWith("-");
      assertThat(Repository.isValidRefName("refs/heads/" + r.branch())).isTrue();
      assertThat(r.branch()).doesNotStartWith("-");
      assertThat(r.deploymentVersion()).matches(TAG);
      assertThat(r.awsAccount()).matches(ACCOUNT);
      assertThat(r.ecrRepo()).matches(ECR).hasSizeBetween(2, 256);
      for (String key : r.buildArgsOrEmpty().keySet()) {
        assertThat(RequestValidator.looksSecret(key)).isFalse();
      }
    } else {
      assertThat(((Rejected) p).violations()).isNotEmpty();
    }
  }

  @Provide
  Arbitrary<String> requests() {
    Arbitrary<String> hostile = Arbitraries.of("..", "-x", "a/../b", "file:///etc", "ext::sh", "a b", "@",
        "a\\nb", "user:pw@host/x", "ssh://h/x", "\\u0000", "~", "^", ":", "*", "?", "[", "a.lock", "/", "");
    Arbitrary<String> word = Arbitraries.strings().withChars("abcXYZ019_.-/:").ofMinLength(0).ofMaxLength(20);
    Arbitrary<String> lower = Arbitraries.strings().withChars("abz09").ofMinLength(1).ofMaxLength(8);
    Arbitrary<String> repo = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Combinators.combine(lower, lower).as((o, n) -> o + "/" + n)),
        net.jqwik.api.Tuple.of(1, word), net.jqwik.api.Tuple.of(1, hostile));
    Arbitrary<String> field = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, lower), net.jqwik.api.Tuple.of(1, word), net.jqwik.api.Tuple.of(1, hostile));
    Arbitrary<String> account = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.strings().numeric().ofLength(12)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(14)));
    Arbitrary<Map<String, String>> args = Arbitraries.maps(
        Arbitraries.of("MODE", "API_KEY", "npm_token", "X", "db_password", "a b"), word).ofMaxSize(2);
    return Combinators.combine(repo, field, field, account, field, args)
        .as((r, branch, version, acct, ecr, buildArgs) -> json(Map.of(
            "repo_url", r, "branch", branch, "deployment_version", version, "aws_account", acct,
            "ecr_repo", ecr + "x"), buildArgs));
  }

  private static String json(Map<String, String> fields, Map<String, String> buildArgs) {
    StringBuilder sb = new StringBuilder("{");
    fields.forEach((k, v) -> sb.append('"').append(k).append("\":\"").append(v.replace("\"", "")).append("\","));
    sb.append("\"build_args\":{");
    List<String> pairs = buildArgs.entrySet().stream()
        .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"").toList();
    sb.append(String.join(",", pairs)).append("}}");
    return sb.toString();
  }
}
