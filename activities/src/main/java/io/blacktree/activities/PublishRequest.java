package io.blacktree.activities;

import io.blacktree.core.DeployResult;
import io.blacktree.core.ReplyTarget;
import java.util.List;

/**
 * A result to publish.
 *
 * @param messageId    stable across retries of the publish ({@code <workflowId>/<runId>/result}), so
 *                     consumers can drop duplicates
 * @param replyTargets the request's {@code reply_to}s, each with its {@code correlation_id}
 */
public record PublishRequest(String messageId, DeployResult result, List<ReplyTarget> replyTargets) {}
