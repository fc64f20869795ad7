package io.blacktree.workflows;

import io.blacktree.activities.PublishActivities;
import io.blacktree.activities.PublishRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what the workflow published. */
final class FakePublish implements PublishActivities {
  final List<PublishRequest> published = new CopyOnWriteArrayList<>();

  @Override
  public void publish(PublishRequest request) {
    published.add(request);
  }
}
