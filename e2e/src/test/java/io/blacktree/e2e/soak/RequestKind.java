package io.blacktree.e2e.soak;

/**
 * What a soak request is: a valid build request, an exact copy of an earlier valid one, or one of several kinds
 * of invalid request, each with the field the bridge's dead-letter reason must name.
 */
enum RequestKind {
  VALID(null),
  DUPLICATE(null),
  /** A body that is not JSON at all: any reason will do. */
  NOT_JSON(""),
  /** No {@code ecr_repo}. */
  MISSING_FIELD("ecr_repo"),
  /** An {@code aws_account} that is not 12 digits. */
  BAD_ACCOUNT("aws_account"),
  /** A {@code deployment_version} that is not a Docker tag. */
  BAD_TAG("deployment_version"),
  /** A {@code repo_url} over plain http (policy: https only). */
  POLICY("repo_url");

  private final String reasonField;

  RequestKind(String reasonField) {
    this.reasonField = reasonField;
  }

  boolean invalid() {
    return reasonField != null;
  }

  /** A dead-letter reason of this kind must contain this text (empty: any non-blank reason). */
  String reasonField() {
    return reasonField;
  }

  static RequestKind[] invalidKinds() {
    return new RequestKind[] {NOT_JSON, MISSING_FIELD, BAD_ACCOUNT, BAD_TAG, POLICY};
  }
}
