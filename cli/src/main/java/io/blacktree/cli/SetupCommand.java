package io.blacktree.cli;

import com.rabbitmq.client.Connection;
import io.blacktree.bridge.QueueNames;
import io.blacktree.bridge.Topology;
import io.blacktree.bridge.TopologyException;
import io.blacktree.core.Names;
import io.blacktree.dev.NamespaceRefusedException;
import io.blacktree.dev.NamespaceRegistrar;
import io.blacktree.dev.SearchAttributeRegistrar;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code blacktree setup}: creates the namespace when the server does not know it (a self-hosted server or the dev
 * server; Temporal Cloud refuses, and the error says where to create it), registers the search attributes in it and
 * declares the RabbitMQ queues and exchange. Idempotent: what exists already counts as done.
 */
@Command(name = "setup", mixinStandardHelpOptions = true,
    description = "Register Temporal search attributes and declare RabbitMQ queues and exchanges (idempotent).")
final class SetupCommand implements Callable<Integer> {
  @Mixin TemporalOptions temporal;
  @Mixin AmqpOptions amqp;

  @Option(names = "--delivery-limit", defaultValue = "20",
      description = "x-delivery-limit of the build queue (default: ${DEFAULT-VALUE}; env BLACKTREE_DELIVERY_LIMIT).")
  int deliveryLimit;

  @Option(names = "--retention", defaultValue = "P3D", paramLabel = "DURATION",
      description = "Workflow retention of a namespace setup creates, ISO-8601 (default: ${DEFAULT-VALUE}; "
          + "env BLACKTREE_RETENTION). An existing namespace is left as it is.")
  Duration retention;

  @Option(names = "--skip-amqp", description = "Only register the search attributes (env BLACKTREE_SKIP_AMQP).")
  boolean skipAmqp;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    try (TemporalClients clients = temporal.connect()) {
      if (ensureNamespace(clients, retention) == NamespaceRegistrar.Outcome.CREATED) {
        out.printf("Namespace %s did not exist: created it (retention %s)%n", clients.namespace(), retention);
      }
      List<String> added = register(clients);
      out.printf("Search attributes in namespace %s: %s (%s)%n", clients.namespace(),
          String.join(", ", Names.SEARCH_ATTRIBUTES),
          added.isEmpty() ? "all present" : "added " + String.join(", ", added));
    }
    if (!skipAmqp) {
      QueueNames names = QueueNames.withPrefix(amqp.queuePrefix());
      try (Connection connection = amqp.connect("blacktree-setup")) {
        new Topology(names, deliveryLimit).declare(connection);
      } catch (TopologyException e) {
        throw new CliException(ExitCode.USAGE, e.getMessage(), e);
      } catch (IOException e) {
        throw CliException.unreachable("RabbitMQ connection failed: " + e.getMessage(), e);
      }
      out.printf("RabbitMQ: queues %s, %s and exchange %s declared%n",
          names.buildQueue(), names.deadLetterQueue(), names.resultsExchange());
    }
    out.flush();
    return ExitCode.OK;
  }

  /**
   * Creates a missing namespace. A refusal names what to do: the server (Temporal Cloud, or a key without the
   * rights) wants the namespace created where it is managed.
   */
  private static NamespaceRegistrar.Outcome ensureNamespace(TemporalClients clients, Duration retention)
      throws CliException {
    try {
      return new NamespaceRegistrar(clients.service()).ensure(clients.namespace(), retention);
    } catch (NamespaceRefusedException e) {
      throw CliException.badInput(e.getMessage() + " on " + clients.target() + ". Create it where the server is "
          + "managed (Temporal Cloud: the Cloud UI or `tcld namespace create`; self-hosted: `temporal operator "
          + "namespace create --namespace " + clients.namespace() + "` with an admin's credentials), or pass an "
          + "existing one with --namespace; then run setup again.");
    } catch (StatusRuntimeException e) {
      if (TemporalOptions.refusedCredentials(e)) {
        throw TemporalOptions.refused(clients.target(), e);
      }
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.unreachable("interrupted while waiting for namespace " + clients.namespace(), e);
    } catch (IllegalStateException e) {
      throw CliException.unreachable(e.getMessage(), e);
    }
  }

  /**
   * Registers through the operator service on the same connection, credentials and metadata as the clients; a
   * refusal there (a key without the rights to add search attributes) is named as such.
   */
  private static List<String> register(TemporalClients clients) throws CliException {
    try {
      return new SearchAttributeRegistrar(clients.service()).register(clients.namespace());
    } catch (StatusRuntimeException e) {
      if (TemporalOptions.refusedCredentials(e)) {
        throw TemporalOptions.refused(clients.target(), e);
      }
      throw e;
    }
  }
}
