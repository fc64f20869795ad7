package io.blacktree.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reads the JSON payloads of workflow history (Temporal's default {@code json/plain} encoding). */
final class PayloadJson {
  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private PayloadJson() {}

  /** The first payload as JSON, if there is one and it is JSON. */
  static Optional<JsonNode> first(Payloads payloads) {
    if (payloads == null || payloads.getPayloadsCount() == 0) {
      return Optional.empty();
    }
    return tree(payloads.getPayloads(0));
  }

  static Optional<JsonNode> tree(Payload payload) {
    String encoding = payload.getMetadataOrDefault("encoding", com.google.protobuf.ByteString.EMPTY)
        .toString(StandardCharsets.UTF_8);
    if (!encoding.startsWith("json/")) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(JSON.readTree(payload.getData().toByteArray()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static <T> Optional<T> as(JsonNode node, Class<T> type) {
    try {
      return Optional.ofNullable(JSON.treeToValue(node, type));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
