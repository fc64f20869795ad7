package io.blacktree.e2e;

import static io.blacktree.e2e.support.BlacktreeStack.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.blacktree.activities.AffinityActivitiesImpl;
import io.blacktree.activities.LastHosts;
import io.blacktree.core.Affinity;
import io.blacktree.core.DeployResult;
import io.blacktree.core.JobStatus;
import io.blacktree.e2e.support.BuildWorker;
import io.blacktree.e2e.support.ComponentProcess;
import io.blacktree.e2e.support.DeployJobStack;
import io.blacktree.e2e.support.DeployJobStack.Job;
import io.blacktree.testsupport.ServiceEndpoints;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache-affinity dispatch over real processes: two build hosts (a worker and an orchestrator that owns only it,
 * each with its own {@code --host-id}) on the shared Temporal dev server. The next version of a repository goes to
 * the host that built it even though the other host is free (hit); while that host is busy beyond the affinity
 * wait the next version goes to the other host, still on attempt 1 (miss).
 */
class CacheAffinityE2EIT {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration JOB_BOUND = Duration.ofSeconds(240);

  @TempDir Path dir;

  @Test
  void deployJob_nextVersionOfABuiltRepo_goesToItsHostThenElsewhereWhileThatHostIsBusy() throws Exception {
    try (DeployJobStack stack = DeployJobStack.start(getClass(), dir)) {
      stack.kill(stack.orchestrator());
      List<BuildWorker> workers = stack.workers();
      String suffix = Long.toString(System.nanoTime() % 1_000_000);
      List<String> hosts = List.of("aff-a-" + suffix, "aff-b-" + suffix);
      try (ComponentProcess a = stack.startBuildHostOrchestrator(workers.get(0), hosts.get(0), WAIT);
          ComponentProcess b = stack.startBuildHostOrchestrator(workers.get(1), hosts.get(1), WAIT)) {
        stack.awaitTrue("both workers FREE", Duration.ofSeconds(60),
            () -> workers.stream().allMatch(BuildWorker::isFree));

        // the image's text is this run's own: the engine keeps earlier runs' layers, and a cached slow RUN (SLEEP=45)
        // from an earlier run would finish at once and leave the home host free
        Job first = stack.newJob("affinity-" + suffix, "v1", "ARG SLEEP=0\n" + run("sh", "-c", "sleep $SLEEP"));
        DeployResult built = result(first.start());
        assertThat(built.affinity().outcome()).isEqualTo(Affinity.Outcome.NONE);
        String home = built.affinity().host();
        assertThat(hosts).contains(home);
        int homeIndex = hosts.indexOf(home);
        BuildWorker homeWorker = workers.get(homeIndex);
        BuildWorker otherWorker = workers.get(1 - homeIndex);
        awaitLastHostVisible(stack, first.repo, home);

        // hit: the other host is free, the job still goes home
        assertThat(otherWorker.isFree()).isTrue();
        DeployResult hit = result(first.next("v2", Map.of("SLEEP", "0")).start());
        assertThat(hit.status()).isEqualTo(JobStatus.SUCCESS);
        assertThat(hit.affinity()).isEqualTo(new Affinity(Affinity.Outcome.HIT, home, home));
        assertThat(hit.worker()).isEqualTo(homeWorker.address());
        assertThat(hit.attempts()).isEqualTo(1);
        awaitLastHostVisible(stack, first.repo, home);

        // miss: home is busy with a slow build beyond the wait; the job goes to the other host on attempt 1
        Job slowJob = first.next("v3", Map.of("SLEEP", "45"));
        WorkflowStub slow = slowJob.start();
        // busy with the slow job itself: right after v2 the home worker can still be BUSY finishing v2
        stack.awaitTrue("home busy with the slow build", Duration.ofSeconds(90),
            () -> homeWorker.isRunning(slowJob.workflowId));
        Job nextJob = first.next("v4", Map.of("SLEEP", "0"));
        DeployResult miss = result(nextJob.start());
        assertThat(miss.status()).isEqualTo(JobStatus.SUCCESS);
        assertThat(miss.affinity()).isEqualTo(new Affinity(Affinity.Outcome.MISS, home, hosts.get(1 - homeIndex)));
        assertThat(miss.worker()).isEqualTo(otherWorker.address());
        assertThat(miss.attempts()).isEqualTo(1);
        List<String> queues = scheduledQueues(stack.history(nextJob.workflowId));
        assertThat(queues).hasSize(2);
        assertThat(queues.get(0)).endsWith("." + home);
        assertThat(queues.get(1)).doesNotEndWith("." + home);

        DeployResult slowResult = result(slow);
        assertThat(slowResult.affinity().outcome()).isEqualTo(Affinity.Outcome.HIT);
        assertThat(slowResult.attempts()).isEqualTo(1);
      }
    }
  }

  private static DeployResult result(WorkflowStub stub) throws Exception {
    return stub.getResult(JOB_BOUND.toSeconds(), TimeUnit.SECONDS, DeployResult.class);
  }

  /** Visibility is eventually consistent: wait until the lookup the workflow makes answers {@code host}. */
  private static void awaitLastHostVisible(DeployJobStack stack, String repo, String host) {
    ServiceEndpoints endpoints = ServiceEndpoints.fromEnvironment();
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(endpoints.temporalTarget()).build());
    try {
      // a fresh memory each time: only visibility's own answer counts here
      stack.awaitTrue("visibility naming " + host + " for " + repo, Duration.ofSeconds(60),
          () -> host.equals(new AffinityActivitiesImpl(service, endpoints.temporalNamespace(), Duration.ofSeconds(5),
              new LastHosts(1)).lastHost(repo)));
    } finally {
      service.shutdown();
    }
  }

  private static List<String> scheduledQueues(List<HistoryEvent> history) {
    return DeployJobStack.events(history, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).stream()
        .filter(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("Dispatch"))
        .map(e -> e.getActivityTaskScheduledEventAttributes().getTaskQueue().getName())
        .toList();
  }
}
