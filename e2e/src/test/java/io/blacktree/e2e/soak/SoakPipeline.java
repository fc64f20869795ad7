package io.blacktree.e2e.soak;

import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.git.GitRepos;
import java.nio.file.Path;
import java.util.List;

/**
 * What a soak runs against, all of it the soak's own: services, build workers, orchestrators and bridges as real
 * processes, and the faults it can inject into them. {@link SoakStack} is the one-node shape (dev server, one
 * RabbitMQ node), {@link ClusterSoakStack} the production shape (Temporal on PostgreSQL, three RabbitMQ nodes,
 * build hosts, two bridges).
 */
interface SoakPipeline extends AutoCloseable {
  String ACCOUNT = "123456789012";
  String REGION = "us-east-1";

  /** Starts every service and component; returns once they answer. */
  void start() throws Exception;

  TestIds ids();

  GitRepos repos();

  /** The Temporal frontend (namespace {@code default}). */
  String temporalTarget();

  /** The broker URLs, comma-separated (one per node). */
  String amqpUrls();

  /** Whether a queue whose loss would lose a result must be a quorum (replicated) queue. */
  boolean replicatedQueues();

  default String queuePrefix() {
    return ids().prefix() + ".";
  }

  SoakWorkers workers();

  /** Containers in any state on the engine the workers build on, one line each. */
  List<String> containers();

  /** Stops every bridge with SIGTERM (they put unacked deliveries back), waiting for each to exit. */
  void stopBridges();

  /** The fault kinds this shape takes. */
  List<FaultKind> faultKinds();

  /** What fault {@code f} acts on, for the log and the timeline. */
  String target(FaultSchedule.Planned f);

  /** Injects {@code f} and brings what it broke back (returns once it answers again). */
  void inject(FaultSchedule.Planned f) throws Exception;

  /** Starts again every component that is not running; returns each one found dead. */
  List<String> restartDead();

  /** Where the soak keeps what it made (repos, workdirs, service data). */
  Path dir();
}
