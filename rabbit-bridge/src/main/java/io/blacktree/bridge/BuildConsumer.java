package io.blacktree.bridge;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the build queue with manual acks and a bounded prefetch, and keeps doing so through failures. The
 * messages are handled concurrently, up to {@code prefetch} at a time (so up to that many workflow starts are in
 * flight): each is acked only after its own start (or dead-letter, or duplicate answer); a duplicate delivered
 * at the same moment is still told apart by the workflow ID's reuse policy. A supervisor thread owns the
 * channel's life:
 * <ul>
 *   <li>Temporal unreachable (the handler answers {@code HOLD}): the consumer is cancelled, the message and
 *       every in-flight one are nacked back to the queue, and Temporal is probed with a bounded backoff; when it
 *       answers, consuming resumes.</li>
 *   <li>Channel closed by the broker (channel error) or lost with the connection (broker restart; the client's
 *       automatic recovery brings the connection back), or the consumer cancelled by the broker: a new channel
 *       is opened, the topology re-declared and consuming resumes. Unacked messages return to the queue as
 *       redelivered, and the reuse policy makes their second start a duplicate.</li>
 * </ul>
 */
final class BuildConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BuildConsumer.class);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(250);

  /** What the consumer is doing now. */
  enum State { STARTING, CONSUMING, HOLDING, RECONNECTING, CLOSED }

  private final Connection connection;
  private final Topology topology;
  private final int prefetch;
  private final MessageHandler handler;
  private final BooleanSupplier temporalReachable;
  private final Duration maxBackoff;
  private final ExecutorService starters;

  private final Object lock = new Object();
  private final Semaphore wake = new Semaphore(0);
  private volatile State state = State.STARTING;
  private volatile boolean closing;
  /** Set when a message was taken care of; a hold that follows none starts its probes where the last left off. */
  private volatile boolean progressSinceHold = true;
  private Duration holdDelay = MIN_BACKOFF;
  private Thread supervisor;
  // guarded by lock
  private boolean holding = true;
  private boolean redeclare;
  private Channel channel;
  private Subscription subscription;

  BuildConsumer(Connection connection, Topology topology, int prefetch, MessageHandler handler,
      BooleanSupplier temporalReachable, Duration maxBackoff) {
    this.connection = connection;
    this.topology = topology;
    this.prefetch = prefetch;
    this.handler = handler;
    this.temporalReachable = temporalReachable;
    this.maxBackoff = maxBackoff;
    AtomicInteger n = new AtomicInteger();
    this.starters = Executors.newFixedThreadPool(prefetch, r -> {
      Thread t = new Thread(r, "blacktree-bridge-start-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts the supervisor: it probes Temporal first, then consumes. */
  void start() {
    supervisor = new Thread(this::supervise, "blacktree-bridge-supervisor");
    supervisor.setDaemon(true);
    supervisor.start();
  }

  State state() {
    return state;
  }

  /** The consuming channel now (tests force broker-side channel errors on it). */
  Channel channel() {
    synchronized (lock) {
      return channel;
    }
  }

  private void supervise() {
    Duration delay = MIN_BACKOFF;
    while (!closing) {
      try {
        if (isHolding()) {
          waitForTemporal();
          continue;
        }
        ensureConsuming();
        state = State.CONSUMING;
        delay = MIN_BACKOFF;
        wake.tryAcquire(1, TimeUnit.SECONDS);
      } catch (IOException | RuntimeException e) {
        // ShutdownSignalException (a RuntimeException) is the usual one; any other must not end supervision.
        state = State.RECONNECTING;
        log.warn("RabbitMQ channel unavailable, retrying in {} ms: {}", delay.toMillis(), e.toString());
        if (!pause(delay)) {
          return;
        }
        delay = next(delay);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private boolean isHolding() {
    synchronized (lock) {
      return holding;
    }
  }

  private void waitForTemporal() {
    state = State.HOLDING;
    Duration delay = MIN_BACKOFF;
    if (!progressSinceHold) {
      // Temporal answered the probe but not the start: do not spin (each hold requeues and counts a delivery).
      delay = next(holdDelay);
      if (!pause(delay)) {
        return;
      }
    }
    progressSinceHold = false;
    while (!closing) {
      if (temporalReachable.getAsBoolean()) {
        synchronized (lock) {
          holding = false;
        }
        holdDelay = delay;
        log.info("Temporal answers: consuming {}", topology.names().buildQueue());
        return;
      }
      log.info("Temporal unreachable, next probe in {} ms", delay.toMillis());
      if (!pause(delay)) {
        return;
      }
      delay = next(delay);
    }
  }

  private void ensureConsuming() throws IOException {
    synchronized (lock) {
      if (channel == null || !channel.isOpen()) {
        abortChannel();
        if (!connection.isOpen()) {
          throw new IOException("connection is down (automatic recovery is reconnecting)");
        }
        Channel ch = connection.createChannel();
        if (ch == null) {
          throw new IOException("no free channel on the connection");
        }
        ch.addShutdownListener(cause -> onChannelShutdown(ch, cause));
        channel = ch;
        redeclare = true;
        subscription = null;
      }
      if (redeclare) {
        topology.declareOn(channel);
        channel.basicQos(prefetch);
        redeclare = false;
      }
      if (subscription == null) {
        Subscription s = new Subscription(channel);
        channel.basicConsume(topology.names().buildQueue(), false, s);
        subscription = s;
        log.info("consuming {} (prefetch {})", topology.names().buildQueue(), prefetch);
      }
    }
  }

  private void onChannelShutdown(Channel ch, ShutdownSignalException cause) {
    if (closing || cause.isInitiatedByApplication() && !cause.isHardError()) {
      return;
    }
    log.warn("RabbitMQ closed the consuming channel: {}", cause.getMessage());
    synchronized (lock) {
      if (channel == ch) {
        if (subscription != null) {
          subscription.active = false;
          subscription = null;
        }
        redeclare = true;
      }
    }
    wake.release();
  }

  /**
   * Stop consuming and put this message back; the other in-flight ones are put back by their own handling
   * (they see the subscription inactive, or get HOLD themselves) or acked if their start went through.
   */
  private void hold(Subscription s, long deliveryTag) {
    synchronized (lock) {
      s.active = false;
      holding = true;
      if (subscription == s) {
        subscription = null;
      }
    }
    try {
      s.getChannel().basicCancel(s.getConsumerTag());
    } catch (IOException | AlreadyClosedException e) {
      log.debug("cancel on a closed channel: {}", e.getMessage());
    }
    nack(s.getChannel(), deliveryTag, false);
    wake.release();
  }

  private void abortChannel() {
    Channel old = channel;
    channel = null;
    if (old != null) {
      try {
        old.abort();
      } catch (IOException | RuntimeException e) {
        log.debug("abort of a closed channel: {}", e.getMessage());
      }
    }
  }

  private static void ack(Channel ch, long tag) {
    try {
      ch.basicAck(tag, false);
    } catch (IOException | AlreadyClosedException e) {
      log.warn("ack failed, the message will be redelivered: {}", e.getMessage());
    }
  }

  private static void nack(Channel ch, long tag, boolean multiple) {
    try {
      ch.basicNack(tag, multiple, true);
    } catch (IOException | AlreadyClosedException e) {
      log.debug("nack on a closed channel (the broker requeues): {}", e.getMessage());
    }
  }

  private boolean pause(Duration d) {
    try {
      wake.tryAcquire(d.toMillis(), TimeUnit.MILLISECONDS);
      wake.drainPermits();
      return !closing;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Duration next(Duration d) {
    Duration doubled = d.multipliedBy(2);
    return doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
  }

  /** Cancels the consumer and closes the channel: unacked messages go back to the queue. */
  @Override
  public void close() {
    closing = true;
    state = State.CLOSED;
    starters.shutdown();
    if (supervisor != null) {
      supervisor.interrupt();
      try {
        supervisor.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (lock) {
      if (subscription != null) {
        subscription.active = false;
        subscription = null;
      }
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
          log.debug("closing the consuming channel: {}", e.getMessage());
        }
        channel = null;
      }
    }
  }

  /** One basic.consume on one channel; deliveries reaching it after it was stopped are put back. */
  private final class Subscription extends DefaultConsumer {
    volatile boolean active = true;

    Subscription(Channel ch) {
      super(ch);
    }

    @Override
    public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
        byte[] body) {
      long tag = envelope.getDeliveryTag();
      if (!active || closing) {
        nack(getChannel(), tag, false);
        return;
      }
      try {
        starters.execute(() -> handle(tag, envelope, properties, body));
      } catch (RejectedExecutionException e) {
        nack(getChannel(), tag, false);
      }
    }

    private void handle(long tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      if (!active || closing) {
        nack(getChannel(), tag, false);
        return;
      }
      MessageHandler.Decision decision;
      try {
        decision = handler.handle(new InboundMessage(body, envelope.isRedeliver(), properties));
      } catch (RuntimeException e) {
        log.warn("handling a build message failed, requeueing it", e);
        decision = MessageHandler.Decision.REQUEUE;
      }
      switch (decision) {
        case ACK -> {
          progressSinceHold = true;
          ack(getChannel(), tag);
        }
        case REQUEUE -> nack(getChannel(), tag, false);
        case HOLD -> hold(this, tag);
      }
    }

    @Override
    public void handleCancel(String consumerTag) {
      log.warn("RabbitMQ cancelled the consumer of {}", topology.names().buildQueue());
      active = false;
      synchronized (lock) {
        if (subscription == this) {
          subscription = null;
          redeclare = true;
        }
      }
      wake.release();
    }
  }
}
