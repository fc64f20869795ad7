package io.blacktree.bridge;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeoutException;

/**
 * Opens the one AMQP connection a process uses: automatic recovery on (a restarted broker is reconnected),
 * topology recovery off (the bridge re-declares and re-consumes itself, which also covers channel-level
 * errors that automatic recovery does not). The URL may hold credentials: it never appears in a message.
 */
public final class AmqpConnections {
  private AmqpConnections() {}

  public static Connection open(String amqpUrl, String connectionName) throws BrokerException {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(amqpUrl);
    } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the AMQP URL is not a valid amqp:// or amqps:// URL");
    }
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(false);
    factory.setNetworkRecoveryInterval(2000);
    factory.setRequestedHeartbeat(15);
    factory.setConnectionTimeout(10_000);
    try {
      return factory.newConnection(connectionName);
    } catch (IOException | TimeoutException e) {
      throw new BrokerUnavailableException(
          "RabbitMQ at " + factory.getHost() + ":" + factory.getPort() + " unreachable: " + e.getMessage(), e);
    }
  }
}
