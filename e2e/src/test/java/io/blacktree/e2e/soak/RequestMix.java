package io.blacktree.e2e.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The soak's requests, decided up front from the seed: about 80% valid, 10% invalid (the invalid kinds drawn
 * evenly) and 10% exact duplicates of an earlier valid request. The first request is always valid, so a
 * duplicate always has something to copy.
 */
final class RequestMix {
  /** Request {@code index} of the run; {@code duplicateOf} is the index of the valid request it copies, or -1. */
  record Planned(int index, RequestKind kind, int duplicateOf) {}

  private RequestMix() {}

  static List<Planned> plan(int count, Random random) {
    List<Planned> out = new ArrayList<>(count);
    List<Integer> valid = new ArrayList<>();
    RequestKind[] invalid = RequestKind.invalidKinds();
    for (int i = 0; i < count; i++) {
      double u = random.nextDouble();
      if (valid.isEmpty() || u < 0.8) {
        valid.add(i);
        out.add(new Planned(i, RequestKind.VALID, -1));
      } else if (u < 0.9) {
        out.add(new Planned(i, invalid[random.nextInt(invalid.length)], -1));
      } else {
        out.add(new Planned(i, RequestKind.DUPLICATE, valid.get(random.nextInt(valid.size()))));
      }
    }
    return out;
  }
}
