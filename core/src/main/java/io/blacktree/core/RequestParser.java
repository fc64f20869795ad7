package io.blacktree.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;

/**
 * Turns a {@code jobs.build} message body into a validated request, or the list of reasons it is not one:
 * first the JSON types of every field ({@link RequestJsonTypes}), then the rules ({@link RequestValidator}).
 */
public final class RequestParser {
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private final ObjectMapper json;
  private final RequestValidator validator;

  public RequestParser(RequestValidator validator) {
    this.validator = validator;
    this.json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  /** The outcome of parsing one message: a request, or every violation found. */
  public sealed interface Parsed permits Accepted, Rejected {}

  /** A valid request, with the policy's defaults filled in (its region). */
  public record Accepted(BuildRequest request) implements Parsed {}

  public record Rejected(List<Violation> violations) implements Parsed {}

  public Parsed parse(byte[] body) {
    if (body == null || body.length == 0) {
      return new Rejected(List.of(Violation.invalid("body", "is empty")));
    }
    if (body.length > MAX_BODY_BYTES) {
      return new Rejected(List.of(Violation.invalid("body", "is larger than 64 KiB")));
    }
    JsonNode tree;
    try {
      tree = json.readTree(body);
    } catch (JsonProcessingException e) {
      return new Rejected(List.of(Violation.invalid("body", "is not a JSON object")));
    } catch (IOException e) {
      return new Rejected(List.of(Violation.invalid("body", "could not be read")));
    }
    if (tree == null || !tree.isObject()) {
      return new Rejected(List.of(Violation.invalid("body", "is not a JSON object")));
    }
    List<Violation> wrongTypes = RequestJsonTypes.check(tree);
    if (!wrongTypes.isEmpty()) {
      return new Rejected(wrongTypes);
    }
    BuildRequest request;
    try {
      request = json.treeToValue(tree, BuildRequest.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an object whose field types were checked always binds", e);
    }
    List<Violation> violations = validator.validate(request);
    return violations.isEmpty() ? new Accepted(validator.withDefaults(request)) : new Rejected(violations);
  }

  /** The JSON form of a request (snake_case, optional fields omitted). */
  public byte[] toJson(BuildRequest request) {
    try {
      return json.writeValueAsBytes(request);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a BuildRequest always serialises", e);
    }
  }
}
