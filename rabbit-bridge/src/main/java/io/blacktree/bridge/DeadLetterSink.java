package io.blacktree.bridge;

import java.util.List;

/** Where refused messages go: the dead-letter queue, with every reason, confirmed by the broker. */
interface DeadLetterSink {
  void deadLetter(InboundMessage message, List<String> reasons) throws PublishFailedException;
}
