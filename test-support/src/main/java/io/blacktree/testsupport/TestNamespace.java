package io.blacktree.testsupport;

import io.blacktree.dev.NamespaceRefusedException;
import io.blacktree.dev.NamespaceRegistrar;
import io.blacktree.dev.SearchAttributeRegistrar;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Temporal namespace the tests run in ({@link ServiceEndpoints#temporalNamespace()}, {@value #DEFAULT} unless
 * {@code BLACKTREE_TEST_TEMPORAL_NAMESPACE} says otherwise): never the user's {@code default}, so a test run leaves
 * no workflow where {@code blacktree jobs list} and the demo look. Made on first use in a JVM, with a short
 * retention and Blacktree's search attributes, by the registrars {@code blacktree setup} uses.
 */
public final class TestNamespace {
  /** The tests' namespace when the environment names none. */
  public static final String DEFAULT = "blacktree-test";

  private static final Duration RETENTION = Duration.ofDays(1);
  private static final Set<String> READY = ConcurrentHashMap.newKeySet();

  private TestNamespace() {}

  /** Makes sure {@code namespace} exists on {@code target}, with the search attributes; once per JVM. */
  public static synchronized void ensure(String target, String namespace) {
    if (READY.contains(target + "/" + namespace)) {
      return;
    }
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    try {
      new NamespaceRegistrar(service).ensure(namespace, RETENTION);
      new SearchAttributeRegistrar(service).register(namespace);
      READY.add(target + "/" + namespace);
    } catch (NamespaceRefusedException e) {
      throw new IllegalStateException("the test server refused to create namespace " + namespace, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing namespace " + namespace, e);
    } finally {
      service.shutdownNow();
    }
  }
}
