package io.blacktree.activities;

import com.rabbitmq.client.Return;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a returned ({@code mandatory}, unroutable) result means, said once: no queue bound to the results exchange
 * is the normal state of a stack where nobody consumes results (the local {@code dev} stack), so it is logged at
 * INFO the first time with what it means, and at DEBUG after that. A reply queue that is gone means its requester
 * stopped waiting; that is said at INFO for each result, naming it.
 */
final class UnroutableNotice {
  private static final Logger log = LoggerFactory.getLogger(UnroutableNotice.class);

  private final AtomicBoolean told = new AtomicBoolean();

  void returned(Return r) {
    String messageId = r.getProperties().getMessageId();
    if (r.getExchange().isEmpty()) {
      log.info("result {}: reply queue '{}' is gone (its requester stopped waiting); the result is still on the "
          + "results exchange and in the workflow", messageId, r.getRoutingKey());
    } else if (told.compareAndSet(false, true)) {
      log.info("result {} was not kept: no queue is bound to exchange '{}' for '{}' ({}). Results are published "
          + "for whoever binds a queue to that exchange; with none bound they are dropped, which is normal on a "
          + "stack where nothing consumes them (the job's result stays in its workflow: blacktree jobs show ID). "
          + "Said once; later ones are logged at DEBUG.", messageId, r.getExchange(), r.getRoutingKey(),
          r.getReplyText());
    } else {
      log.debug("result {} unroutable on '{}' '{}': {}", messageId, r.getExchange(), r.getRoutingKey(),
          r.getReplyText());
    }
  }
}
