package io.blacktree.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.core.RequestParser.Accepted;
import io.blacktree.core.RequestParser.Parsed;
import io.blacktree.core.RequestParser.Rejected;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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

  @Test
  void parse_emptyAndOversized_rejected() {
    assertThat(reasons(parser.parse(new byte[0]))).contains("body: is empty");
    String big = "{\"repo_url\": \"" + "a".repeat(70_000) + "\"}";
    assertThat(reasons(parse(big))).contains("body: is larger than 64 KiB");
  }

  @Test
  void toJson_roundTrips_snakeCaseWithoutNulls() {
    BuildRequest r = BuildRequest.of("o/n", "main", "v1", "123456789012", "app");
    String json = new String(parser.toJson(r), StandardCharsets.UTF_8);
    assertThat(json).contains("\"aws_account\":\"123456789012\"").doesNotContain("null");
    assertThat(((Accepted) parser.parse(parser.toJson(r))).request()).isEqualTo(r);
  }
}
