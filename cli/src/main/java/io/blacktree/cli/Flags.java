package io.blacktree.cli;

import java.util.Collection;
import java.util.Set;
import java.util.function.Consumer;

/** How an option group fills a config builder: a flag that was given sets its field, an absent one keeps the default. */
final class Flags {
  private Flags() {}

  /** Calls {@code setter} with {@code value} unless the flag was absent (null). */
  static <T> void set(T value, Consumer<? super T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  /** As {@link #set}, for a comma-separated list flag that configures a set. */
  static void setAll(Collection<String> values, Consumer<Set<String>> setter) {
    if (values != null) {
      setter.accept(Set.copyOf(values));
    }
  }
}
