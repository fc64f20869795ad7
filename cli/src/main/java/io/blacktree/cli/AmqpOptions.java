package io.blacktree.cli;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Option;

/** The RabbitMQ connection flags shared by setup and submit. */
public final class AmqpOptions {
  @Option(names = "--amqp", defaultValue = "amqp://guest:guest@127.0.0.1:5672", paramLabel = "URL",
      description = "RabbitMQ URL (default: amqp://guest:***@127.0.0.1:5672; env BLACKTREE_AMQP).",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER)
  String url;

  @Option(names = "--queue-prefix", defaultValue = "", paramLabel = "PREFIX",
      description = "Prefix of the queue and exchange names, for isolated test stacks (env BLACKTREE_QUEUE_PREFIX).")
  String queuePrefix;

  public String queuePrefix() {
    return queuePrefix;
  }

  /**
   * Opens a connection named {@code name}.
   *
   * @throws CliException exit 2 for a malformed URL, exit 3 when the broker does not answer
   */
  public Connection connect(String name) throws CliException {
    return connect(name, false);
  }

  /**
   * Opens a connection named {@code name} that reconnects by itself after a broker outage (for the
   * long-running deployables).
   *
   * @throws CliException exit 2 for a malformed URL, exit 3 when the broker does not answer
   */
  public Connection connectRecovering(String name) throws CliException {
    return connect(name, true);
  }

  private Connection connect(String name, boolean recovering) throws CliException {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(url);
    } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
      throw CliException.badInput("--amqp is not a valid amqp:// URL");
    }
    factory.setConnectionTimeout(10_000);
    factory.setAutomaticRecoveryEnabled(recovering);
    try {
      return factory.newConnection(name);
    } catch (IOException | TimeoutException e) {
      throw CliException.unreachable("RabbitMQ at " + redacted() + " is unreachable: "
          + TemporalOptions.rootMessage(e), e);
    }
  }

  /** The URL without its password, for messages. */
  public String redacted() {
    return url.replaceAll("//([^:/@]+):[^@]*@", "//$1:***@");
  }
}
