package io.blacktree.bridge;

import com.rabbitmq.client.Connection;
import io.blacktree.core.Names;
import io.blacktree.core.RequestParser;
import io.blacktree.core.RequestValidator;
import io.blacktree.core.ValidationPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * The RabbitMQ bridge ({@code blacktree bridge}): takes build requests from {@code jobs.build}, dead-letters
 * the invalid ones with their reasons, starts a {@code DeployJob} workflow for each valid one (idempotently),
 * and holds the queue while Temporal is unreachable.
 *
 * <p>Build it with {@link #create(Config, AmqpEndpoint, WorkflowClient, MeterRegistry)} (opens the AMQP
 * connection, takes the Temporal client the entry point built, and closes both on {@link #close()}) or with
 * the constructor and clients of your own (not closed here). {@link #start()} declares the topology and
 * starts consuming; it returns at once.
 */
public final class BridgeApp implements AutoCloseable {

  /**
   * The bridge's options; every one has a default ({@link #defaults()}, or {@link #builder()}).
   *
   * @param amqpUrl         broker URL for {@link #create(Config, MeterRegistry)}, default
   *                        {@code amqp://guest:guest@127.0.0.1:5672}; the cli passes an {@link AmqpEndpoint}
   * @param temporalTarget  Temporal frontend host:port for {@link #create(Config, MeterRegistry)} (tests, bench),
   *                        default {@code 127.0.0.1:7233}; the cli passes its own client instead
   * @param namespace       {@code --namespace}: Temporal namespace, default {@code default}
   * @param taskQueue       {@code --task-queue}: DeployJob's task queue, default {@code blacktree-deploy}
   * @param prefetch        {@code --prefetch}: unacked messages the broker may send ahead, default 10
   * @param deliveryLimit   {@code --delivery-limit}: the build queue's {@code x-delivery-limit}, default 20
   * @param queueNames      {@code --queue-prefix}: queue and exchange names, default {@code jobs.build},
   *                        {@code jobs.build.dlq}, {@code jobs.results}
   * @param gitBaseUrl      {@code --git-base-url}: base for {@code owner/name} repos, default {@code https://github.com/}
   * @param allowedGitHosts {@code --git-allowed-hosts}: hosts a full https repo URL may name, default github.com
   * @param allowedAccounts {@code --allowed-accounts}: AWS accounts allowed, default empty = any 12-digit one
   * @param defaultRegion   {@code --default-region}: region of a request without one, default {@code us-east-1}
   * @param maxBackoff      {@code --max-backoff}: longest wait between Temporal probes or reconnects, default 30 s
   * @param rpcTimeout      {@code --rpc-timeout}: how long one start may keep retrying before Temporal counts
   *                        as unreachable, default 5 s
   * @param connectionName  {@code --connection-name}: the AMQP connection's name shown by RabbitMQ,
   *                        default {@code blacktree-bridge}
   */
  public record Config(
      String amqpUrl, String temporalTarget, String namespace, String taskQueue, int prefetch, int deliveryLimit,
      QueueNames queueNames, URI gitBaseUrl, Set<String> allowedGitHosts, Set<String> allowedAccounts,
      String defaultRegion, Duration maxBackoff, Duration rpcTimeout, String connectionName) {

    public Config {
      if (prefetch < 1) {
        throw new IllegalArgumentException("prefetch must be >= 1, was " + prefetch);
      }
      if (deliveryLimit < 1) {
        throw new IllegalArgumentException("deliveryLimit must be >= 1, was " + deliveryLimit);
      }
      allowedGitHosts = Set.copyOf(allowedGitHosts);
      allowedAccounts = Set.copyOf(allowedAccounts);
    }

    public static Config defaults() {
      return builder().build();
    }

    public static Builder builder() {
      return new Builder();
    }

    /** The validation policy these options describe. */
    public ValidationPolicy validationPolicy() {
      return new ValidationPolicy(gitBaseUrl, allowedGitHosts, allowedAccounts, defaultRegion);
    }

    /** The config with the AMQP URL's password masked. */
    @Override
    public String toString() {
      return "Config[amqpUrl=" + AmqpEndpoint.redact(amqpUrl) + ", temporalTarget=" + temporalTarget + ", namespace="
          + namespace + ", taskQueue=" + taskQueue + ", prefetch=" + prefetch + ", deliveryLimit=" + deliveryLimit
          + ", queueNames=" + queueNames + ", gitBaseUrl=" + gitBaseUrl + ", allowedGitHosts=" + allowedGitHosts
          + ", allowedAccounts=" + allowedAccounts + ", defaultRegion=" + defaultRegion + ", maxBackoff=" + maxBackoff
          + ", rpcTimeout=" + rpcTimeout + ", connectionName=" + connectionName + "]";
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
      Builder b = new Builder();
      b.amqpUrl = amqpUrl;
      b.temporalTarget = temporalTarget;
      b.namespace = namespace;
      b.taskQueue = taskQueue;
      b.prefetch = prefetch;
      b.deliveryLimit = deliveryLimit;
      b.queueNames = queueNames;
      b.gitBaseUrl = gitBaseUrl;
      b.allowedGitHosts = allowedGitHosts;
      b.allowedAccounts = allowedAccounts;
      b.defaultRegion = defaultRegion;
      b.maxBackoff = maxBackoff;
      b.rpcTimeout = rpcTimeout;
      b.connectionName = connectionName;
      return b;
    }
  }

  /** Builds a {@link Config}; every option starts at its default. */
  public static final class Builder {
    private String amqpUrl = "amqp://guest:guest@127.0.0.1:5672";
    private String temporalTarget = "127.0.0.1:7233";
    private String namespace = "default";
    private String taskQueue = Names.DEPLOY_TASK_QUEUE;
    private int prefetch = 10;
    private int deliveryLimit = Topology.DEFAULT_DELIVERY_LIMIT;
    private QueueNames queueNames = QueueNames.defaults();
    private URI gitBaseUrl = ValidationPolicy.DEFAULT_GIT_BASE_URL;
    private Set<String> allowedGitHosts = Set.of("github.com");
    private Set<String> allowedAccounts = Set.of();
    private String defaultRegion = ValidationPolicy.DEFAULT_REGION;
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration rpcTimeout = Duration.ofSeconds(5);
    private String connectionName = "blacktree-bridge";

    private Builder() {}

    public Builder amqpUrl(String v) { amqpUrl = v; return this; }
    public Builder temporalTarget(String v) { temporalTarget = v; return this; }
    public Builder namespace(String v) { namespace = v; return this; }
    public Builder taskQueue(String v) { taskQueue = v; return this; }
    public Builder prefetch(int v) { prefetch = v; return this; }
    public Builder deliveryLimit(int v) { deliveryLimit = v; return this; }
    public Builder queueNames(QueueNames v) { queueNames = v; return this; }
    public Builder gitBaseUrl(URI v) { gitBaseUrl = v; return this; }
    public Builder allowedGitHosts(Set<String> v) { allowedGitHosts = v; return this; }
    public Builder allowedAccounts(Set<String> v) { allowedAccounts = v; return this; }
    public Builder defaultRegion(String v) { defaultRegion = v; return this; }
    public Builder maxBackoff(Duration v) { maxBackoff = v; return this; }
    public Builder rpcTimeout(Duration v) { rpcTimeout = v; return this; }
    public Builder connectionName(String v) { connectionName = v; return this; }

    public Config build() {
      return new Config(amqpUrl, temporalTarget, namespace, taskQueue, prefetch, deliveryLimit, queueNames,
          gitBaseUrl, allowedGitHosts, allowedAccounts, defaultRegion, maxBackoff, rpcTimeout, connectionName);
    }
  }

  private final Config config;
  private final Connection connection;
  private final WorkflowClient client;
  private final boolean ownsClients;
  private final Topology topology;
  private final PublishChannel publishChannel;
  private final BuildConsumer consumer;
  private final BridgeMetrics metrics;
  private final ConsumerLag lag;

  /** A bridge on clients built elsewhere; they stay open after {@link #close()}. */
  public BridgeApp(Config config, Connection connection, WorkflowClient client, MeterRegistry registry) {
    this(config, connection, client, registry, OpenTelemetry.noop().getTracer("io.blacktree"), false);
  }

  private BridgeApp(Config config, Connection connection, WorkflowClient client, MeterRegistry registry,
      Tracer tracer, boolean ownsClients) {
    this.config = config;
    this.connection = connection;
    this.client = client;
    this.ownsClients = ownsClients;
    this.metrics = new BridgeMetrics(registry);
    this.lag = new ConsumerLag(connection, config.queueNames().buildQueue(), Duration.ofSeconds(5), registry);
    this.topology = new Topology(config.queueNames(), config.deliveryLimit());
    this.publishChannel = new PublishChannel(connection, Duration.ofSeconds(10));
    RequestParser parser = new RequestParser(new RequestValidator(config.validationPolicy()));
    WorkflowStarter starter = new WorkflowStarter(client, config.taskQueue(),
        new FinishedResults(client, Duration.ofSeconds(10)));
    MessageHandler handler = new MessageHandler(parser, starter,
        new DeadLetterer(publishChannel, config.queueNames()),
        new ResultReplier(publishChannel, config.queueNames()), metrics,
        new MessageTracing(tracer, config.queueNames().buildQueue()));
    TemporalProbe probe = new TemporalProbe(client, config.rpcTimeout());
    this.consumer = new BuildConsumer(connection, topology, config.prefetch(), handler, probe::reachable,
        config.maxBackoff());
  }

  /**
   * A bridge that owns its clients: the AMQP connection it opens to {@code amqp} (automatic recovery on) and
   * {@code client}, built once by the entry point (TLS, API key, metrics, tracing are the caller's). Both are
   * closed by {@link #close()}. Temporal need not be up: the bridge waits for it before consuming; the
   * client's RPC timeout decides how fast an outage is noticed.
   *
   * @throws BrokerException RabbitMQ is unreachable or refused the credentials
   */
  public static BridgeApp create(Config config, AmqpEndpoint amqp, WorkflowClient client, MeterRegistry registry)
      throws BrokerException {
    return create(config, amqp, client, registry, OpenTelemetry.noop().getTracer("io.blacktree"));
  }

  /**
   * As {@link #create(Config, AmqpEndpoint, WorkflowClient, MeterRegistry)}, with a span from {@code tracer} per
   * build-queue message ({@link MessageTracing}); the client's context propagators carry it into the workflow.
   *
   * @throws BrokerException RabbitMQ is unreachable or refused the credentials
   */
  public static BridgeApp create(Config config, AmqpEndpoint amqp, WorkflowClient client, MeterRegistry registry,
      Tracer tracer) throws BrokerException {
    Connection connection = AmqpConnections.open(amqp, config.connectionName(), true);
    return new BridgeApp(config, connection, client, registry, tracer, true);
  }

  /**
   * For tests and the benchmark: a bridge on a plaintext Temporal client to {@code config.temporalTarget()}
   * and the broker at {@code config.amqpUrl()}. Deployables use {@link #create(Config, AmqpEndpoint,
   * WorkflowClient, MeterRegistry)} with the clients the cli builds.
   *
   * @throws BrokerException RabbitMQ is unreachable or refused the credentials
   */
  public static BridgeApp create(Config config, MeterRegistry registry) throws BrokerException {
    WorkflowClient client = plaintextClient(config);
    try {
      return create(config, AmqpEndpoint.of(config.amqpUrl()), client, registry);
    } catch (BrokerException | RuntimeException e) {
      client.getWorkflowServiceStubs().shutdownNow();
      throw e;
    }
  }

  /**
   * A plaintext Temporal client to {@code config.temporalTarget()} whose calls give up after
   * {@code rpcTimeout} so an outage is noticed quickly (tests and the benchmark).
   */
  public static WorkflowClient plaintextClient(Config config) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(config.temporalTarget())
        .setRpcTimeout(config.rpcTimeout())
        .setRpcRetryOptions(RpcRetryOptions.newBuilder().setExpiration(config.rpcTimeout())
            .setMaximumInterval(Duration.ofSeconds(1)).validateBuildWithDefaults())
        .setConnectionBackoffResetFrequency(Duration.ofSeconds(2))
        .build());
    return WorkflowClient.newInstance(stubs,
        WorkflowClientOptions.newBuilder().setNamespace(config.namespace()).build());
  }

  /** Declares the topology and starts consuming (after Temporal answered). Returns at once. */
  public void start() throws TopologyException {
    topology.declare(connection);
    consumer.start();
    lag.start();
  }

  public Config config() {
    return config;
  }

  public BridgeMetrics metrics() {
    return metrics;
  }

  /** CONSUMING, HOLDING (waiting for Temporal), RECONNECTING (waiting for RabbitMQ), STARTING or CLOSED. */
  public String state() {
    return consumer.state().name();
  }

  BuildConsumer consumer() {
    return consumer;
  }

  @Override
  public void close() {
    lag.close();
    consumer.close();
    publishChannel.close();
    if (ownsClients) {
      client.getWorkflowServiceStubs().shutdown();
      try {
        connection.close();
      } catch (IOException | RuntimeException e) {
        // already closed
      }
      client.getWorkflowServiceStubs().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
