package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.proto.worker.v1.JobResponse;
import io.blacktree.proto.worker.v1.ReuseSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class WorkerMetricsTest {
  @Test
  void jobFinished_stepsFromTheRegistryCache_countedBesideAllCachedSteps() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    WorkerMetrics metrics = new WorkerMetrics(registry);
    JobResponse r = JobResponse.newBuilder().setStatus(JobResponse.Status.SUCCESS)
        .setReuse(ReuseSummary.newBuilder().setCachedBuildSteps(3).setRemoteCachedBuildSteps(2)).build();

    metrics.jobFinished(new JobObserver.JobInfo("j", "w", 1, "worker"), new JobObserver.JobEnd(r, 10, 0));

    assertThat(registry.get("blacktree.worker.cached.build.steps").counter().count()).isEqualTo(3.0);
    assertThat(registry.get("blacktree.worker.remote.cached.build.steps").counter().count()).isEqualTo(2.0);
  }
}
