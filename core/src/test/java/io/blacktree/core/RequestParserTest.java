package io.blacktree.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.RequestParser.Accepted;
import io.blacktree.core.RequestParser.Parsed;
import io.blacktree.core.RequestParser.Rejected;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestParserTest {
  private final RequestParser parser = new RequestParser(new RequestValidator(ValidationPolicy.defaults()));

  private Parsed parse(String body) {
    return parser.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  private static String reasons(Parsed p) {
    assertThat(p).isInstanceOf(Rejected.class);
    return ((Rejected) p).violations().toString();
  }

  @Test
  void parse_designExample_rejectedForTenDigitAccount() {
    Parsed p = parse("{\"repo_url\": \"username/reponame\", \"branch\": \"main\", \"deployment_version\": "
        + "\"v1.0.3\", \"aws_account\": \"1234567890\", \"ecr_repo\": \"app-images\"}");
    assertThat(reasons(p)).isEqualTo("[aws_account: must be 12 digits]");
  }

  @Test
  void parse_validWithUnknownFields_acceptedAndFieldsMapped() {
    Parsed p = parse("{\"repo_url\": \"username/reponame\", \"branch\": \"main\", \"deployment_version\": "
        + "\"v1.0.3\", \"aws_account\": \"123456789012\", \"ecr_repo\": \"app-images\", \"future\": 1,"
        + "\"build_args\": {\"MODE\": \"prod\"}, \"tags\": [\"latest\"]}");
    assertThat(p).isInstanceOf(Accepted.class);
    BuildRequest r = ((Accepted) p).request();
    assertThat(r.awsAccount()).isEqualTo("123456789012");
    assertThat(r.buildArgsOrEmpty()).containsEntry("MODE", "prod");
    assertThat(r.tagsOrEmpty()).containsExactly("latest");
  }

  @Test
  void parse_notJson_rejectedWithBodyReason() {
    assertThat(reasons(parse("not json"))).contains("body: is not a JSON object");
    assertThat(reasons(parse("[1,2]"))).contains("body");
    assertThat(reasons(parse("null"))).contains("body");
  }

  @Test
  void parse_wrongType_namesTheField() {
    assertThat(reasons(parse("{\"repo_url\": \"o/n\", \"tags\": \"latest\"}"))).contains("tags: has the wrong JSON type");
    assertThat(reasons(parse("{\"build_args\": [1]}"))).contains("build_args");
  }

  private static final String VALID_FIELDS = "\"repo_url\": \"o/n\", \"branch\": \"main\", "
      + "\"deployment_version\": \"v1\", \"aws_account\": \"123456789012\", \"ecr_repo\": \"app\"";

  private static final List<String> STRING_FIELDS = List.of("repo_url", "branch", "deployment_version",
      "aws_account", "ecr_repo", "region", "request_id", "commit", "dockerfile", "context", "target");

  /** A valid request with {@code field} set to the raw JSON {@code value} (replacing it when it is required). */
  private Parsed parseWith(String field, String value) {
    String others = VALID_FIELDS.replaceAll("\"" + field + "\": \"[^\"]*\", ?", "")
        .replaceAll(", \"" + field + "\": \"[^\"]*\"$", "");
    return parse("{" + others + ", \"" + field + "\": " + value + "}");
  }

  static Stream<Arguments> stringFieldsWithWrongTypes() {
    Map<String, String> wrong = new LinkedHashMap<>();
    wrong.put("1", "a number");
    wrong.put("123456789012", "a number");
    wrong.put("1.5", "a number");
    wrong.put("true", "a boolean");
    wrong.put("null", "null");
    wrong.put("{\"a\": \"b\"}", "an object");
    wrong.put("[\"main\"]", "an array");
    return STRING_FIELDS.stream().flatMap(field -> wrong.entrySet().stream()
        .map(w -> Arguments.of(field, w.getKey(), w.getValue())));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("stringFieldsWithWrongTypes")
  void parse_stringFieldWithOtherJsonType_rejectedNamingTheFieldOnly(String field, String value, String type) {
    assertThat(reasons(parseWith(field, value)))
        .isEqualTo("[" + field + ": has the wrong JSON type (" + type + ", must be a string)]");
  }

  @Test
  void parse_numericAccountAndVersion_rejectedNotCoercedToText() {
    Parsed p = parse("{\"repo_url\": \"o/n\", \"branch\": \"main\", \"deployment_version\": 1, "
        + "\"aws_account\": 123456789012, \"ecr_repo\": \"app\"}");
    assertThat(((Rejected) p).violations()).extracting(Violation::toString).containsExactly(
        "deployment_version: has the wrong JSON type (a number, must be a string)",
        "aws_account: has the wrong JSON type (a number, must be a string)");
    assertThat(((Rejected) p).violations()).allSatisfy(v -> assertThat(v.kind()).isEqualTo(ErrorKind.INVALID_REQUEST));
  }

  /** field, raw JSON value, the reason's field, what it must be: build_args and tags, whole and per element. */
  static Stream<Arguments> containerFieldsWithWrongTypes() {
    Stream<Arguments> buildArgs = Stream.of("\"A=1\"", "[\"A=1\"]", "1", "true", "null")
        .map(v -> Arguments.of("build_args", v, "build_args", "an object of strings"));
    Stream<Arguments> buildArgValue = Stream.of("1", "true", "null", "{\"x\": \"y\"}", "[\"prod\"]")
        .map(v -> Arguments.of("build_args", "{\"OK\": \"v\", \"MODE\": " + v + "}", "build_args.MODE", "a string"));
    Stream<Arguments> tags = Stream.of("\"latest\"", "{\"t\": \"latest\"}", "1", "false", "null")
        .map(v -> Arguments.of("tags", v, "tags", "an array of strings"));
    Stream<Arguments> tag = Stream.of("2", "true", "null", "{}", "[\"x\"]")
        .map(v -> Arguments.of("tags", "[\"latest\", " + v + "]", "tags[1]", "a string"));
    return Stream.of(buildArgs, buildArgValue, tags, tag).flatMap(s -> s);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("containerFieldsWithWrongTypes")
  void parse_buildArgsOrTagsWithWrongTypes_rejectedNamingFieldKeyOrIndex(String field, String value, String named,
      String mustBe) {
    assertThat(reasons(parseWith(field, value))).startsWith("[" + named + ": has the wrong JSON type (")
        .endsWith(", must be " + mustBe + ")]");
  }

  @Test
  void parse_everyOptionalFieldAsString_accepted() {
    Parsed p = parse("{" + VALID_FIELDS + ", \"region\": \"eu-west-1\", \"request_id\": \"r-1\", "
        + "\"commit\": \"" + "a".repeat(40) + "\", \"dockerfile\": \"Dockerfile\", \"context\": \".\", "
        + "\"target\": \"runtime\", \"build_args\": {\"MODE\": \"prod\"}, \"tags\": [\"latest\"]}");
    assertThat(p).isInstanceOf(Accepted.class);
    assertThat(((Accepted) p).request().region()).isEqualTo("eu-west-1");
    assertThat(((Accepted) p).request().target()).isEqualTo("runtime");
  }

  @Test
  void parse_noRegion_policyDefaultFilledIn_givenRegionKept() {
    RequestParser euParser = new RequestParser(new RequestValidator(new ValidationPolicy(
        ValidationPolicy.DEFAULT_GIT_BASE_URL, java.util.Set.of(), java.util.Set.of(), "eu-west-1")));
    assertThat(((Accepted) euParser.parse(("{" + VALID_FIELDS + "}").getBytes(StandardCharsets.UTF_8)))
        .request().region()).isEqualTo("eu-west-1");
    assertThat(((Accepted) euParser.parse(("{" + VALID_FIELDS + ", \"region\": \"us-east-2\"}")
        .getBytes(StandardCharsets.UTF_8))).request().region()).isEqualTo("us-east-2");
  }

  @Test
  void parse_unknownFieldOfAnyType_stillIgnored() {
    assertThat(parse("{" + VALID_FIELDS + ", \"future\": {\"n\": 1}, \"flag\": null}")).isInstanceOf(Accepted.class);
  }

  @Test
  void parse_emptyAndOversized_rejected() {
    assertThat(reasons(parser.parse(new byte[0]))).contains("body: is empty");
    String big = "{\"repo_url\": \"" + "a".repeat(70_000) + "\"}";
    assertThat(reasons(parse(big))).contains("body: is larger than 64 KiB");
  }

  @Test
  void toJson_roundTrips_snakeCaseWithoutNulls() {
    BuildRequest r = TestRequests.of("o/n", "main", "v1", "123456789012", "app");
    String json = new String(parser.toJson(r), StandardCharsets.UTF_8);
    assertThat(json).contains("\"aws_account\":\"123456789012\"").doesNotContain("null");
    assertThat(((Accepted) parser.parse(parser.toJson(r))).request()).isEqualTo(r.withRegion("us-east-1"));
  }
}
