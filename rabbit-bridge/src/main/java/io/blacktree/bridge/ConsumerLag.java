package io.blacktree.bridge;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's consumer lag: messages ready (not yet delivered) in the build queue, sampled every
 * {@code interval} with a passive declare on a channel of its own, as the gauge
 * {@code blacktree_bridge_consumer_lag_messages} (-1 until the first sample, and while RabbitMQ does not answer).
 */
final class ConsumerLag implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);
  private final Connection connection;
  private final String queue;
  private final Duration interval;
  private final AtomicLong ready = new AtomicLong(-1);
  private final ScheduledExecutorService sampler;
  private Channel channel;

  ConsumerLag(Connection connection, String queue, Duration interval, MeterRegistry registry) {
    this.connection = connection;
    this.queue = queue;
    this.interval = interval;
    Gauge.builder("blacktree.bridge.consumer.lag", ready, AtomicLong::get).baseUnit("messages")
        .description("messages ready in the build queue (sampled)").register(registry);
    this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "blacktree-consumer-lag");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    sampler.scheduleWithFixedDelay(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The last sample (-1 when none). */
  long ready() {
    return ready.get();
  }

  private void sample() {
    try {
      if (channel == null || !channel.isOpen()) {
        channel = connection.createChannel();
      }
      ready.set(channel.queueDeclarePassive(queue).getMessageCount());
    } catch (IOException | RuntimeException e) {
      ready.set(-1);
      log.debug("consumer lag not sampled: {}", e.toString());
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    try {
      sampler.awaitTermination(2, TimeUnit.SECONDS);
      if (channel != null && channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      log.debug("closing the lag channel: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
