package io.blacktree.core;

/**
 * One broken rule of a request: the field (snake_case, as in the JSON) and why. Rendered
 * {@code field: reason}, e.g. {@code aws_account: must be 12 digits}.
 */
public record Violation(String field, String reason, ErrorKind kind) {

  public static Violation invalid(String field, String reason) {
    return new Violation(field, reason, ErrorKind.INVALID_REQUEST);
  }

  public static Violation policy(String field, String reason) {
    return new Violation(field, reason, ErrorKind.POLICY_VIOLATION);
  }

  @Override
  public String toString() {
    return field + ": " + reason;
  }
}
