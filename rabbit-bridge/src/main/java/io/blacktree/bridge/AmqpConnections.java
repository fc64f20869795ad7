package io.blacktree.bridge;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Opens the AMQP connections of a process from an {@link AmqpEndpoint} (URL, password, verified TLS). The
 * long-running kind has automatic recovery on (a restarted broker is reconnected) and topology recovery off
 * (the bridge re-declares and re-consumes itself, which also covers channel-level errors that automatic
 * recovery does not). With several brokers listed (a cluster) the connection goes to the first that answers, and
 * recovery tries them all again. Messages name the broker by its redacted URL: never a password.
 */
public final class AmqpConnections {
  private AmqpConnections() {}

  /** A self-recovering connection to the broker at {@code amqpUrl} (credentials in the URL). */
  public static Connection open(String amqpUrl, String connectionName) throws BrokerException {
    return open(AmqpEndpoint.of(amqpUrl), connectionName, true);
  }

  /**
   * A connection named {@code connectionName}; {@code recovering} turns automatic recovery on.
   *
   * @throws IllegalArgumentException a malformed URL or unusable TLS files
   * @throws BrokerException          RabbitMQ is unreachable, refused the credentials or failed the TLS handshake
   */
  public static Connection open(AmqpEndpoint endpoint, String connectionName, boolean recovering)
      throws BrokerException {
    ConnectionFactory factory = endpoint.newFactory();
    factory.setAutomaticRecoveryEnabled(recovering);
    factory.setTopologyRecoveryEnabled(false);
    factory.setNetworkRecoveryInterval(2000);
    factory.setRequestedHeartbeat(15);
    factory.setConnectionTimeout(10_000);
    factory.setHandshakeTimeout(10_000);
    try {
      return factory.newConnection(endpoint.addresses(), connectionName);
    } catch (IOException | TimeoutException e) {
      throw new BrokerUnavailableException("RabbitMQ at " + endpoint.redactedUrl() + " unreachable: "
          + describe(e, endpoint), e);
    }
  }

  private static String describe(Exception e, AmqpEndpoint endpoint) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (root instanceof javax.net.ssl.SSLException || e instanceof javax.net.ssl.SSLException) {
      return "TLS handshake failed (" + text + ")";
    }
    if (!endpoint.tls() && (root instanceof java.io.EOFException || root instanceof java.net.SocketException
        || root.getClass().getSimpleName().contains("MalformedFrame"))) {
      return "the connection was closed during the AMQP handshake (" + text
          + "); if this is a TLS port, use an amqps:// URL";
    }
    return endpoint.password() == null ? text : text.replace(endpoint.password(), "****");
  }
}
