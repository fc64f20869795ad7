package io.blacktree.bridge;

import io.blacktree.core.DeployResult;
import io.blacktree.core.ReplyTarget;

/** Answers requesters: results to a {@code reply_to}, and rejections also to the results exchange. */
interface ReplySink {
  /** Sends {@code result} to the requester's reply queue with its correlation id. */
  void reply(ReplyTarget target, DeployResult result, String messageId) throws PublishFailedException;

  /** Publishes a rejection to the results exchange ({@code deploy.rejected}). */
  void publishRejected(DeployResult result, String messageId) throws PublishFailedException;
}
