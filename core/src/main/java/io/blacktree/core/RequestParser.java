package io.blacktree.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.List;

/** Turns a {@code jobs.build} message body into a validated request, or the list of reasons it is not one. */
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

  public record Accepted(BuildRequest request) implements Parsed {}

  public record Rejected(List<Violation> violations) implements Parsed {}

  public Parsed parse(byte[] body) {
    if (body == null || body.length == 0) {
      return new Rejected(List.of(Violation.invalid("body", "is empty")));
    }
    if (body.length > MAX_BODY_BYTES) {
      return new Rejected(List.of(Violation.invalid("body", "is larger than 64 KiB")));
    }
    BuildRequest request;
    try {
      request = json.readValue(body, BuildRequest.class);
    } catch (MismatchedInputException e) {
      String field = e.getPath().isEmpty() ? "body" : e.getPath().get(0).getFieldName();
      return new Rejected(List.of(Violation.invalid(field == null ? "body" : field, "has the wrong JSON type")));
    } catch (JsonProcessingException e) {
      return new Rejected(List.of(Violation.invalid("body", "is not a JSON object")));
    } catch (IOException e) {
      return new Rejected(List.of(Violation.invalid("body", "could not be read")));
    }
    if (request == null) {
      return new Rejected(List.of(Violation.invalid("body", "is not a JSON object")));
    }
    List<Violation> violations = validator.validate(request);
    return violations.isEmpty() ? new Accepted(request) : new Rejected(violations);
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
