package io.blacktree.workflows;

import io.blacktree.workflow.api.DeployJobWorkflow;

import com.rabbitmq.client.Connection;
import io.blacktree.activities.AffinityActivitiesImpl;
import io.blacktree.activities.DispatchActivitiesImpl;
import io.blacktree.activities.DispatchMetrics;
import io.blacktree.activities.DispatchObserver;
import io.blacktree.activities.DispatchSettings;
import io.blacktree.activities.LastHostFeed;
import io.blacktree.activities.LastHosts;
import io.blacktree.activities.PublishActivitiesImpl;
import io.blacktree.activities.WorkerPool;
import io.blacktree.activities.WorkerSlotSupplier;
import io.blacktree.activities.WorkflowSignalStepNotifier;
import io.blacktree.core.Readiness;
import io.blacktree.core.SecretRedactor;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.common.interceptors.WorkerInterceptor;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.tuning.CompositeTuner;
import io.temporal.worker.tuning.FixedSizeSlotSupplier;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator: the {@code DeployJob} workflow and the publish activity on the deploy task queue, the
 * dispatch activity on the dispatch task queue with one activity slot per free healthy build worker
 * ({@link WorkerSlotSupplier}), and the same activity on this build host's own dispatch queue (cache affinity,
 * docs/workflow.md), whose dispatches wait for this host's workers ahead of the shared queue. The entry point builds the clients once (Temporal stubs with its TLS/API-key
 * settings, one gRPC channel per build worker (TLS/mTLS and a bearer token per
 * {@link OrchestratorConfig#workerLink}), one AMQP connection: cli {@code Orchestrators}) and passes them in;
 * {@link #close} closes them.
 */
public final class OrchestratorApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrchestratorApp.class);
  /** Dispatches from this host's own queue that may wait for a worker at once. */
  private static final int HOST_QUEUE_SLOTS = 50;
  /** Repositories whose last build host this orchestrator remembers (cache affinity). */
  private static final int LAST_HOSTS_CAPACITY = 100_000;
  private final OrchestratorConfig config;
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;
  private final List<ManagedChannel> channels;
  private final Connection amqp;
  private final WorkerPool pool;
  private final WorkerFactory factory;
  private final DispatchObserver dispatchObserver;
  private final LastHosts lastHosts = new LastHosts(LAST_HOSTS_CAPACITY);
  private final LastHostFeed lastHostFeed;

  /**
   * Takes already-built clients; {@link #close} closes all of them. {@code metrics}, when not null, gets the
   * dispatch metrics ({@link DispatchMetrics}); the Temporal SDK's own metrics and the job outcome counters go
   * to the stubs' metrics scope. {@code interceptors} go on every Temporal worker of this orchestrator (e.g.
   * {@link ActivityTracing}; the trace context itself travels by the client's context propagators).
   */
  public OrchestratorApp(OrchestratorConfig config, WorkflowServiceStubs service, WorkflowClient client,
      List<ManagedChannel> workerChannels, Connection amqp, MeterRegistry metrics,
      List<WorkerInterceptor> interceptors) {
    this.config = config;
    this.service = service;
    this.client = client;
    this.channels = List.copyOf(workerChannels);
    this.amqp = amqp;
    List<WorkerPool.WorkerEndpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < config.workers().size(); i++) {
      endpoints.add(new WorkerPool.WorkerEndpoint(config.workers().get(i), channels.get(i)));
    }
    this.pool = new WorkerPool(endpoints, config.healthCheckInterval(), Duration.ofSeconds(5));
    this.dispatchObserver = metrics == null ? DispatchObserver.NONE : new DispatchMetrics(metrics, pool);
    this.lastHostFeed = new LastHostFeed(amqp, config.resultsExchange(), lastHosts);
    this.factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
        .setWorkerInterceptors(interceptors.toArray(WorkerInterceptor[]::new))
        .build());
    register();
  }

  private void register() {
    Worker deploy = factory.newWorker(config.deployTaskQueue(), WorkerOptions.newBuilder()
        .setStickyQueueScheduleToStartTimeout(config.stickyScheduleToStart())
        .build());
    DeployJobOptions options = config.workflowOptions();
    deploy.registerWorkflowImplementationFactory(DeployJobWorkflow.class, () -> new DeployJobWorkflowImpl(options));
    deploy.registerActivitiesImplementations(
        new PublishActivitiesImpl(amqp, config.resultsExchange(), Duration.ofSeconds(10)));
    deploy.registerActivitiesImplementations(
        new AffinityActivitiesImpl(service, client.getOptions().getNamespace(), Duration.ofSeconds(5), lastHosts));

    Worker dispatch = factory.newWorker(config.dispatchTaskQueue(), WorkerOptions.newBuilder()
        .setWorkerTuner(new CompositeTuner(new FixedSizeSlotSupplier<>(10), new WorkerSlotSupplier(pool),
            new FixedSizeSlotSupplier<>(10), new FixedSizeSlotSupplier<>(10)))
        .setMaxConcurrentActivityTaskPollers(1)
        .setDisableEagerExecution(true)
        .setMaxHeartbeatThrottleInterval(config.maxHeartbeatThrottle())
        .setDefaultHeartbeatThrottleInterval(config.maxHeartbeatThrottle())
        .setStickyQueueScheduleToStartTimeout(config.stickyScheduleToStart())
        .build());
    DispatchSettings settings = new DispatchSettings(config.heartbeatInterval(), config.heartbeatTimeout(),
        Duration.ofSeconds(60), Duration.ofSeconds(5));
    DispatchActivitiesImpl activities = new DispatchActivitiesImpl(pool, new WorkflowSignalStepNotifier(client),
        settings, new SecretRedactor(), dispatchObserver, config.hostId());
    dispatch.registerActivitiesImplementations(activities);

    // this host's own queue (cache affinity): ungated, the dispatch waits for a worker inside the pool, ahead of
    // the shared queue, for at most the affinity wait
    Worker own = factory.newWorker(config.hostDispatchTaskQueue(), WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(HOST_QUEUE_SLOTS)
        .setMaxConcurrentActivityTaskPollers(1)
        .setDisableEagerExecution(true)
        .setMaxHeartbeatThrottleInterval(config.maxHeartbeatThrottle())
        .setDefaultHeartbeatThrottleInterval(config.maxHeartbeatThrottle())
        .setStickyQueueScheduleToStartTimeout(config.stickyScheduleToStart())
        .build());
    own.registerActivitiesImplementations(activities);
  }

  public WorkflowClient client() {
    return client;
  }

  /** Ready when Temporal answers (what {@code /health/ready} reports). */
  public Readiness readiness() {
    return new TemporalReadiness(service);
  }

  /**
   * Starts the worker pool's health checks, the last-host feed and the Temporal workers. A feed that cannot start
   * (e.g. a RabbitMQ user without the permissions of SECURITY.md) is logged and left out: cache affinity then asks
   * visibility for every job, as it did before the feed existed.
   */
  public void start() {
    pool.start();
    try {
      lastHostFeed.start();
    } catch (IOException | RuntimeException e) {
      log.warn("cache affinity without the last-host feed (every job's last host is read from visibility): could "
          + "not subscribe to {}: {}; see SECURITY.md for the orchestrator's RabbitMQ permissions",
          config.resultsExchange(), e.getMessage() == null ? e.toString() : e.getMessage());
      lastHostFeed.close();
    }
    factory.start();
  }

  @Override
  public void close() throws Exception {
    factory.shutdown();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    pool.close();
    lastHostFeed.close();
    channels.forEach(ManagedChannel::shutdownNow);
    if (amqp.isOpen()) {
      amqp.close();
    }
    service.shutdown();
  }
}
