package io.blacktree.testsupport;

import java.util.Map;

/**
 * Where the local services are, as {@code scripts/services} starts them, each overridable by an
 * environment variable:
 * <ul>
 *   <li>{@code BLACKTREE_TEST_DOCKER_HOST} (unix:///var/run/docker.sock)</li>
 *   <li>{@code BLACKTREE_TEST_REGISTRY} (127.0.0.1:5000, no auth)</li>
 *   <li>{@code BLACKTREE_TEST_REGISTRY_AUTH} (127.0.0.1:5001, htpasswd), with
 *       {@code BLACKTREE_TEST_REGISTRY_USER} (blacktree) and {@code BLACKTREE_TEST_REGISTRY_PASSWORD}
 *       (blacktree-secret)</li>
 *   <li>{@code BLACKTREE_TEST_AMQP} (127.0.0.1:5672, guest/guest)</li>
 *   <li>{@code BLACKTREE_TEST_TEMPORAL} (127.0.0.1:7233) and {@code BLACKTREE_TEST_TEMPORAL_NAMESPACE}
 *       ({@value TestNamespace#DEFAULT}: the tests' own, never the user's {@code default}; see
 *       {@link TestNamespace})</li>
 * </ul>
 */
public record ServiceEndpoints(
    String dockerHost,
    String registryOpen,
    String registryAuth,
    String registryUser,
    String registryPassword,
    String amqpHost,
    int amqpPort,
    String temporalTarget,
    String temporalNamespace) {

  /** The endpoints for this process's environment. */
  public static ServiceEndpoints fromEnvironment() {
    return from(System.getenv());
  }

  /** The endpoints for the given environment (a map of variables). */
  public static ServiceEndpoints from(Map<String, String> env) {
    String amqp = env.getOrDefault("BLACKTREE_TEST_AMQP", "127.0.0.1:5672");
    int colon = amqp.lastIndexOf(':');
    return new ServiceEndpoints(
        env.getOrDefault("BLACKTREE_TEST_DOCKER_HOST", "unix:///var/run/docker.sock"),
        env.getOrDefault("BLACKTREE_TEST_REGISTRY", "127.0.0.1:5000"),
        env.getOrDefault("BLACKTREE_TEST_REGISTRY_AUTH", "127.0.0.1:5001"),
        env.getOrDefault("BLACKTREE_TEST_REGISTRY_USER", "blacktree"),
        env.getOrDefault("BLACKTREE_TEST_REGISTRY_PASSWORD", "blacktree-secret"),
        colon < 0 ? amqp : amqp.substring(0, colon),
        colon < 0 ? 5672 : Integer.parseInt(amqp.substring(colon + 1)),
        env.getOrDefault("BLACKTREE_TEST_TEMPORAL", io.blacktree.core.Defaults.TEMPORAL_TARGET),
        env.getOrDefault("BLACKTREE_TEST_TEMPORAL_NAMESPACE", TestNamespace.DEFAULT));
  }

  @Override
  public String toString() {
    // never print the password
    return "ServiceEndpoints[docker=" + dockerHost + ", registry=" + registryOpen + ", registryAuth="
        + registryAuth + " (user " + registryUser + "), amqp=" + amqpHost + ":" + amqpPort + ", temporal="
        + temporalTarget + "/" + temporalNamespace + "]";
  }
}
