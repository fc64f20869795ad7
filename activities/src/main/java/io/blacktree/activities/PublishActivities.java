package io.blacktree.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Sends a job's result to RabbitMQ: the {@code jobs.results} topic exchange (routing key
 * {@code deploy.success|failed|cancelled}) and each reply target. A broker outage fails the activity
 * retryably, so Temporal's server-side retries deliver it once the broker is back.
 */
@ActivityInterface
public interface PublishActivities {

  @ActivityMethod(name = "PublishResult")
  void publish(PublishRequest request);
}
