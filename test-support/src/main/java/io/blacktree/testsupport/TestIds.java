package io.blacktree.testsupport;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Unique names for things a test creates on shared services (workflow IDs, task queues, AMQP queues,
 * image names), so test classes and repeated runs never see each other's objects.
 *
 * <p>A prefix looks like {@code bt-registryit-k3x9q2}: lowercase letters, digits and '-', which is valid
 * in image repository names, queue names and workflow IDs alike.
 */
public final class TestIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final String prefix;
  private final AtomicInteger counter = new AtomicInteger();

  private TestIds(String prefix) {
    this.prefix = prefix;
  }

  /** A fresh prefix derived from the test class name. */
  public static TestIds forClass(Class<?> testClass) {
    return forName(testClass.getSimpleName());
  }

  /** A fresh prefix derived from any label. */
  public static TestIds forName(String label) {
    String clean = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    if (clean.length() > 24) {
      clean = clean.substring(0, 24);
    }
    return new TestIds("bt-" + (clean.isEmpty() ? "test" : clean) + "-" + randomSuffix(6));
  }

  /** The prefix itself. */
  public String prefix() {
    return prefix;
  }

  /** {@code <prefix>-<what>}, the same each time for the same {@code what}. */
  public String name(String what) {
    return prefix + "-" + what;
  }

  /** {@code <prefix>-<what>-<n>} with n counting up: a new name on every call. */
  public String next(String what) {
    return prefix + "-" + what + "-" + counter.incrementAndGet();
  }

  private static String randomSuffix(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return prefix;
  }
}
