package io.blacktree.e2e.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RequestMixTest {
  @Test
  void requestMix_fiveHundred_aboutEightyTenTenDuplicatesCopyEarlierValid() {
    List<RequestMix.Planned> mix = RequestMix.plan(500, new Random(3));
    Map<Boolean, Long> invalid = mix.stream()
        .collect(Collectors.partitioningBy(p -> p.kind().invalid(), Collectors.counting()));
    Map<RequestKind, Long> byKind = mix.stream()
        .collect(Collectors.groupingBy(RequestMix.Planned::kind, Collectors.counting()));

    assertThat(mix.get(0).kind()).isEqualTo(RequestKind.VALID);
    assertThat(byKind.get(RequestKind.VALID)).isBetween(360L, 440L);
    assertThat(invalid.get(true)).isBetween(25L, 75L);
    assertThat(byKind.get(RequestKind.DUPLICATE)).isBetween(25L, 75L);
    assertThat(byKind.keySet()).containsAll(List.of(RequestKind.invalidKinds()));
    assertThat(mix).filteredOn(p -> p.kind() == RequestKind.DUPLICATE).allSatisfy(p -> {
      assertThat(p.duplicateOf()).isLessThan(p.index());
      assertThat(mix.get(p.duplicateOf()).kind()).isEqualTo(RequestKind.VALID);
    });
    assertThat(mix.stream().map(RequestMix.Planned::index)).containsExactlyElementsOf(
        IntStream.range(0, 500).boxed().toList());
  }
}
