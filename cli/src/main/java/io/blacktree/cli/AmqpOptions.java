package io.blacktree.cli;

import com.rabbitmq.client.Connection;
import io.blacktree.core.Defaults;
import io.blacktree.bridge.AmqpConnections;
import io.blacktree.bridge.AmqpEndpoint;
import io.blacktree.bridge.BrokerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The RabbitMQ connection flags shared by every command that talks to RabbitMQ, and the one place their
 * connections are opened: URL ({@code amqps://} for TLS, verified against {@code --amqp-tls-ca} or the JDK
 * trust store, host name checked), the password apart from the URL (file or env), an optional client
 * certificate. The URL is only ever printed redacted.
 */
public final class AmqpOptions {
  @Option(names = "--amqp", defaultValue = Defaults.AMQP_URL, paramLabel = "URL",
      description = "RabbitMQ URL, amqps:// for TLS; better without the password. For a cluster, every node's "
          + "URL comma-separated: the first that answers is used, and a lost connection recovers to any of them "
          + "(default: amqp://guest:***@127.0.0.1:5672; env BLACKTREE_AMQP).",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER)
  String url;

  @Option(names = "--amqp-password", paramLabel = "PASSWORD", arity = "1",
      description = "RabbitMQ password, overriding the URL's (prefer env BLACKTREE_AMQP_PASSWORD or "
          + "--amqp-password-file: arguments are visible to other users).")
  String password;

  @Option(names = "--amqp-password-file", paramLabel = "FILE",
      description = "File holding the RabbitMQ password, overriding the URL's.")
  Path passwordFile;

  @Option(names = "--amqp-tls-ca", paramLabel = "FILE",
      description = "PEM CA bundle the broker's certificate must chain to (amqps://; default: the JDK trust store).")
  Path tlsCa;

  @Option(names = "--amqp-tls-cert", paramLabel = "FILE",
      description = "PEM client certificate for brokers that require one (amqps://; with --amqp-tls-key).")
  Path tlsCert;

  @Option(names = "--amqp-tls-key", paramLabel = "FILE", description = "PEM PKCS#8 key of --amqp-tls-cert.")
  Path tlsKey;

  @Option(names = "--queue-prefix", defaultValue = "", paramLabel = "PREFIX",
      description = "Prefix of the queue and exchange names, for isolated test stacks (env BLACKTREE_QUEUE_PREFIX).")
  String queuePrefix;

  public String queuePrefix() {
    return queuePrefix;
  }

  /**
   * The endpoint these flags describe, password read from its file.
   *
   * @throws CliException exit 2 for a malformed URL, unreadable files or conflicting flags
   */
  public AmqpEndpoint endpoint() throws CliException {
    List<String> problems = new ArrayList<>();
    if (password != null && passwordFile != null) {
      problems.add("--amqp-password and --amqp-password-file: give one");
    }
    AmqpEndpoint endpoint = new AmqpEndpoint(url, null, tlsCa, tlsCert, tlsKey);
    problems.addAll(endpoint.problems());
    if (passwordFile != null && !Files.isReadable(passwordFile)) {
      problems.add(passwordFile + ": is not a readable file");
    }
    if (!problems.isEmpty()) {
      throw CliException.badInput("invalid RabbitMQ options: " + String.join("; ", problems));
    }
    return new AmqpEndpoint(url, readPassword(), tlsCa, tlsCert, tlsKey);
  }

  private String readPassword() throws CliException {
    if (passwordFile == null) {
      return password;
    }
    try {
      String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
      return text.endsWith("\n") ? text.substring(0, text.length() - 1).replaceFirst("\r$", "") : text;
    } catch (IOException e) {
      throw CliException.badInput("--amqp-password-file " + passwordFile + " cannot be read: "
          + e.getClass().getSimpleName());
    }
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
    AmqpEndpoint endpoint = endpoint();
    try {
      return AmqpConnections.open(endpoint, name, recovering);
    } catch (IllegalArgumentException e) {
      throw CliException.badInput("invalid RabbitMQ options: " + e.getMessage());
    } catch (BrokerException e) {
      throw CliException.unreachable(e.getMessage(), e);
    }
  }

  /** The URL without its password, for messages. */
  public String redacted() {
    return AmqpEndpoint.redact(url);
  }
}
