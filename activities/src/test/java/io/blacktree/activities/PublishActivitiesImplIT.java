package io.blacktree.activities;

import io.blacktree.core.JobStatus;
import io.blacktree.testsupport.ServiceRequirement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.blacktree.core.DeployResult;
import io.blacktree.core.ErrorKind;
import io.blacktree.core.ReplyTarget;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Against the real RabbitMQ on 127.0.0.1:5672, with an exchange and queues of its own. */
class PublishActivitiesImplIT {
  private final String prefix = "it-publish-" + UUID.randomUUID().toString().substring(0, 8);
  private Connection connection;
  private Channel channel;

  @BeforeEach
  void setUp() throws Exception {
    ConnectionFactory cf = new ConnectionFactory();
    cf.setUri(System.getenv().getOrDefault("BLACKTREE_AMQP", "amqp://guest:guest@127.0.0.1:5672"));
    ServiceRequirement.require(ServiceRequirement.Service.RABBITMQ);
    connection = cf.newConnection();
    channel = connection.createChannel();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (channel != null) {
      channel.exchangeDelete(prefix + ".results");
      channel.queueDelete(prefix + ".failed");
      channel.queueDelete(prefix + ".reply");
      connection.close();
    }
  }

  @Test
  void publish_failedResult_reachesTopicBindingAndReplyTo() throws Exception {
    String exchange = prefix + ".results";
    channel.exchangeDeclare(exchange, "topic", true);
    channel.queueDeclare(prefix + ".failed", false, false, false, null);
    channel.queueBind(prefix + ".failed", exchange, "deploy.failed");
    channel.queueDeclare(prefix + ".reply", false, false, false, null);
    DeployResult result = new DeployResult(JobStatus.FAILED, "deploy:x", "req-1", null, null, null, null,
        "w1", 1, null, ErrorKind.BUILD_FAILED, "RUN exited 3", "line\n", null, null, null);

    new PublishActivitiesImpl(connection, exchange, Duration.ofSeconds(10)).publish(
        new PublishRequest("deploy:x/run/result", result, List.of(new ReplyTarget(prefix + ".reply", "corr-7")),
            "acme/app"));

    GetResponse onTopic = poll(prefix + ".failed");
    assertThat(onTopic.getProps().getMessageId()).isEqualTo("deploy:x/run/result");
    assertThat(onTopic.getProps().getHeaders().get(LastHostFeed.REPO_HEADER)).hasToString("acme/app");
    assertThat(new ObjectMapper().readValue(onTopic.getBody(), DeployResult.class)).isEqualTo(result);
    GetResponse reply = poll(prefix + ".reply");
    assertThat(reply.getProps().getCorrelationId()).isEqualTo("corr-7");
  }

  @Test
  void publish_noQueueBound_saidOnceAtInfoWithWhatItMeansNeverWarn() throws Exception {
    String exchange = prefix + ".results";
    Logger logger = (Logger) LoggerFactory.getLogger(UnroutableNotice.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    Level before = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    try {
      PublishActivitiesImpl publisher = new PublishActivitiesImpl(connection, exchange, Duration.ofSeconds(10));
      for (int i = 0; i < 3; i++) {
        DeployResult result = new DeployResult(JobStatus.SUCCESS, "deploy:x" + i, null, "img", null, null, null,
            "w1", 1, null, null, null, "", null, null, null);
        publisher.publish(new PublishRequest("deploy:x" + i + "/run/result", result, List.of(), null));
      }
    } finally {
      logger.detachAppender(events);
      logger.setLevel(before);
    }

    assertThat(events.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    List<ILoggingEvent> info = events.list.stream().filter(e -> e.getLevel() == Level.INFO).toList();
    assertThat(info).hasSize(1);
    assertThat(info.get(0).getFormattedMessage()).contains("no queue is bound to exchange '" + exchange + "'")
        .contains("deploy.success").contains("blacktree jobs show").contains("Said once");
    assertThat(events.list).filteredOn(e -> e.getLevel() == Level.DEBUG).hasSize(2);
  }

  @Test
  void publish_connectionClosed_failsRetryably() throws Exception {
    ConnectionFactory cf = new ConnectionFactory();
    cf.setUri(System.getenv().getOrDefault("BLACKTREE_AMQP", "amqp://guest:guest@127.0.0.1:5672"));
    Connection closed = cf.newConnection();
    closed.close();
    DeployResult result = new DeployResult(JobStatus.SUCCESS, "deploy:x", null, "img", null, null, null,
        "w1", 1, null, null, null, "", null, null, null);

    ApplicationFailure e = catchThrowableOfType(ApplicationFailure.class, () ->
        new PublishActivitiesImpl(closed, prefix + ".results", Duration.ofSeconds(5))
            .publish(new PublishRequest("m", result, List.of(), null)));

    assertThat(e.isNonRetryable()).isFalse();
  }

  private GetResponse poll(String queue) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      GetResponse r = channel.basicGet(queue, true);
      if (r != null) {
        return r;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("nothing on " + queue + " within 30 s");
  }
}
