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
 * @param repo         the request's {@code repo_url}, sent as the message header {@link LastHostFeed#REPO_HEADER} so
 *                     that every orchestrator learns which host built it last; null in requests recorded before it
 */
public record PublishRequest(String messageId, DeployResult result, List<ReplyTarget> replyTargets, String repo) {}
