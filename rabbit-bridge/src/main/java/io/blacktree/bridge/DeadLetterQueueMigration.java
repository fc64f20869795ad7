package io.blacktree.bridge;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Turns a dead-letter queue declared by an older release as a classic queue (one node holds it: a single point
 * of loss in a cluster) into a quorum queue, keeping every message. RabbitMQ cannot change a queue's type in
 * place, so the messages go through a holding quorum queue ({@code <dlq>.migrating}):
 * <ol>
 *   <li>move every message from the classic queue to the holding queue (publisher confirms, then ack);</li>
 *   <li>delete the classic queue, only if empty (a bridge that dead-lettered meanwhile sends us back to 1);</li>
 *   <li>declare the quorum queue under the old name and move the holding queue's messages into it;</li>
 *   <li>delete the holding queue once it is empty.</li>
 * </ol>
 * Each step is safe to repeat: a migration interrupted anywhere is finished by the next {@link #finish} (every
 * {@link Topology#declare}). Messages keep their body and properties (the reasons header included); a crash
 * between a confirm and its ack can leave one duplicate, never a loss. Stop the bridges while it runs (a broker
 * dead-lettering into the classic queue's name during step 2-3 has no queue to deliver to).
 */
final class DeadLetterQueueMigration {
  private static final int CONFIRM_TIMEOUT_MILLIS = 30_000;

  private final Connection connection;
  private final String queue;
  private final Map<String, Object> quorumArguments;

  DeadLetterQueueMigration(Connection connection, String queue, Map<String, Object> quorumArguments) {
    this.connection = connection;
    this.queue = queue;
    this.quorumArguments = quorumArguments;
  }

  String holdingQueue() {
    return queue + ".migrating";
  }

  /**
   * Migrates the classic queue to quorum (the declare as quorum was just refused as inequivalent).
   *
   * @return how many messages were carried over
   */
  int migrate() throws IOException, TimeoutException, InterruptedException {
    int moved = 0;
    try (Channel ch = connection.createChannel()) {
      ch.queueDeclare(holdingQueue(), true, false, false, quorumArguments);
      ch.confirmSelect();
      while (true) {
        moved += move(ch, queue, holdingQueue());
        try (Channel delete = connection.createChannel()) {
          delete.queueDelete(queue, false, true);
          break;
        } catch (IOException notEmpty) {
          // a message arrived since the move (the delete's channel is closed by the refusal): move again
        }
      }
    }
    // Fresh channels from here: a channel that published to the classic queue keeps its queue-type state, and
    // RabbitMQ 3.10 then fails publishing to the quorum queue of the same name (INTERNAL_ERROR).
    try (Channel ch = connection.createChannel()) {
      ch.queueDeclare(queue, true, false, false, quorumArguments);
    }
    finish();
    return moved;
  }

  /** Finishes a migration interrupted after its holding queue was made: no-op when there is none. */
  void finish() throws IOException, TimeoutException, InterruptedException {
    try (Channel probe = connection.createChannel()) {
      probe.queueDeclarePassive(holdingQueue());
    } catch (IOException absent) {
      return;
    }
    try (Channel ch = connection.createChannel()) {
      ch.confirmSelect();
      do {
        move(ch, holdingQueue(), queue);
        // quorum queues refuse delete-if-empty: check the count, then delete
      } while (ch.queueDeclarePassive(holdingQueue()).getMessageCount() > 0);
      ch.queueDelete(holdingQueue());
    }
  }

  /** Moves every ready message of {@code from} to {@code to}; each is acked only after its copy is confirmed. */
  private static int move(Channel ch, String from, String to) throws IOException, TimeoutException, InterruptedException {
    int moved = 0;
    GetResponse message;
    while ((message = ch.basicGet(from, false)) != null) {
      ch.basicPublish("", to, true, message.getProps(), message.getBody());
      ch.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
      ch.basicAck(message.getEnvelope().getDeliveryTag(), false);
      moved++;
    }
    return moved;
  }
}
