package io.blacktree.cli;

import io.blacktree.core.JobStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.blacktree.core.DeployResult;
import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code submit --wait}'s reply path on the real broker: the reply for this request is handed over at once. */
class JobFollowerIT {

  @Test
  void follow_replyArrives_returnsItsResultAndIgnoresOtherReplies() throws Exception {
    ServiceRequirement.require(Service.RABBITMQ);
    ConnectionFactory cf = new ConnectionFactory();
    cf.setUri("amqp://guest:guest@127.0.0.1:5672");
    String buildQueue = "it-follower-" + UUID.randomUUID() + ".jobs.build";
    try (Connection connection = cf.newConnection("it-follower");
        Channel channel = connection.createChannel();
        Channel api = connection.createChannel()) {
      api.queueDeclare(buildQueue, false, false, true, null);
      RequestPublisher publisher = new RequestPublisher(channel, buildQueue);
      String correlationId = publisher.publish("{}".getBytes(StandardCharsets.UTF_8));
      JobFollower follower = new JobFollower(publisher, null, new PrintWriter(new StringWriter()),
          Duration.ofSeconds(60));
      CompletableFuture<DeployResult> followed = CompletableFuture.supplyAsync(() -> {
        try {
          return follower.follow(correlationId, null);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });

      reply(api, publisher.replyQueue(), "someone-else", "{\"status\":\"FAILED\"}");
      long sent = System.nanoTime();
      reply(api, publisher.replyQueue(), correlationId,
          "{\"status\":\"SUCCESS\",\"workflow_id\":\"deploy:1:r:e:v\",\"image_url\":\"r/e:v\"}");

      DeployResult result = followed.get(30, TimeUnit.SECONDS);
      api.queueDelete(buildQueue);
      assertThat(result.status()).isEqualTo(JobStatus.SUCCESS);
      assertThat(result.imageUrl()).isEqualTo("r/e:v");
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("reply handed over on arrival")
          .isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void follow_fastJobReplyBeforeAnyProgress_printsTheFinalAttemptStepAndElapsedLine() throws Exception {
    ServiceRequirement.require(Service.RABBITMQ);
    ConnectionFactory cf = new ConnectionFactory();
    cf.setUri("amqp://guest:guest@127.0.0.1:5672");
    String buildQueue = "it-follower-" + UUID.randomUUID() + ".jobs.build";
    StringWriter progress = new StringWriter();
    try (Connection connection = cf.newConnection("it-follower");
        Channel channel = connection.createChannel();
        Channel api = connection.createChannel()) {
      api.queueDeclare(buildQueue, false, false, true, null);
      RequestPublisher publisher = new RequestPublisher(channel, buildQueue);
      String correlationId = publisher.publish("{}".getBytes(StandardCharsets.UTF_8));
      reply(api, publisher.replyQueue(), correlationId, "{\"status\":\"SUCCESS\",\"workflow_id\":\"deploy:1:r:e:v\","
          + "\"image_url\":\"r/e:v\",\"attempts\":2,\"worker\":\"127.0.0.1:41347\"}");

      new JobFollower(publisher, null, new PrintWriter(progress), Duration.ofSeconds(60)).follow(correlationId, null);
      api.queueDelete(buildQueue);
    }

    assertThat(progress.toString().lines().toList()).singleElement().asString()
        .matches("\\[\\d+s\\] attempt 2: done on 127\\.0\\.0\\.1:41347");
  }

  private static void reply(Channel ch, String queue, String correlationId, String body) throws Exception {
    ch.basicPublish("", queue, new AMQP.BasicProperties.Builder().correlationId(correlationId).build(),
        body.getBytes(StandardCharsets.UTF_8));
  }
}
