package io.blacktree.e2e.soak;

/** The faults the soak injects: the fault suite's crashes, restarts and link cuts, and the cluster's. */
enum FaultKind {
  /** SIGKILL to one build worker, started again on the same port and workdir. */
  WORKER_KILL,
  /** SIGKILL to the orchestrator, started again. */
  ORCHESTRATOR_KILL,
  /** SIGKILL to a bridge, started again. */
  BRIDGE_KILL,
  /** The private RabbitMQ node stopped and started again (durable queues, persistent messages kept). */
  RABBIT_RESTART,
  /** The private Temporal dev server SIGKILLed and started again on its SQLite file. */
  TEMPORAL_RESTART,
  /** The orchestrator-to-worker link of one worker blackholed through its FaultProxy for 20 s. */
  LINK_CUT,
  /** The private dockerd the workers build on stopped (SIGTERM) and started again. */
  DOCKERD_RESTART,
  /** Cluster: SIGKILL to the Temporal history process, started again. */
  HISTORY_KILL,
  /** Cluster: the Temporal frontend process stopped (SIGTERM) and started again. */
  FRONTEND_RESTART,
  /** Cluster: SIGKILL to one RabbitMQ node; it is started again 30 s later (the others carry on meanwhile). */
  RABBIT_NODE_KILL,
  /** Cluster: SIGKILL to one build host, its worker and its orchestrator together, both started again. */
  BUILD_HOST_KILL,
  /** Cluster: PostgreSQL (Temporal's store) stopped (fast shutdown) and started again. */
  POSTGRES_RESTART
}
