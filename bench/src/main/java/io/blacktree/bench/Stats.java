package io.blacktree.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** Medians and percentiles (nearest rank) of samples. */
final class Stats {
  private Stats() {}

  static double median(Collection<? extends Number> values) {
    return percentile(values, 50);
  }

  static double percentile(Collection<? extends Number> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>();
    values.forEach(v -> sorted.add(v.doubleValue()));
    Collections.sort(sorted);
    if (p == 50 && sorted.size() % 2 == 0) {
      return (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  static double max(Collection<? extends Number> values) {
    return values.stream().mapToDouble(Number::doubleValue).max().orElse(Double.NaN);
  }
}
