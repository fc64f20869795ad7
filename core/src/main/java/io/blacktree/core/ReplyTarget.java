package io.blacktree.core;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a requester wants its result: the AMQP {@code reply_to} queue and its {@code correlation_id}. */
public record ReplyTarget(
    @JsonProperty("reply_to") String replyTo, @JsonProperty("correlation_id") String correlationId) {}
