package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Over buildctl 0.34.2 progress recorded from two buildkitd instances sharing one registry cache. */
class StepReuseTest {
  @Test
  void counts_localCacheServedSteps_cachedNoneRemote() throws IOException {
    assertThat(countsOf("local-warm.txt")).isEqualTo(new StepReuse.Counts(2, 0));
  }

  @Test
  void counts_otherHostsRegistryCacheServedRun_countedRemote() throws IOException {
    // the RUN shows only its layers' transfer; the COPY below it came down with them and shows CACHED
    assertThat(countsOf("remote-warm.txt")).isEqualTo(new StepReuse.Counts(2, 1));
  }

  @Test
  void counts_coldBuildPullingItsBase_nothingCached() throws IOException {
    assertThat(countsOf("cold-from-base.txt")).isEqualTo(new StepReuse.Counts(0, 0));
  }

  @Test
  void counts_remoteRunOnALazyBase_remoteRunOnlyNotTheFromOrExecutedSteps() throws IOException {
    assertThat(countsOf("remote-from-base.txt")).isEqualTo(new StepReuse.Counts(1, 1));
  }

  @Test
  void counts_stepWithOutputAndTransfer_ranSoNotCached() {
    StepReuse reuse = new StepReuse();
    reuse.accept("#7 [2/3] RUN --mount=type=cache,target=/c make");
    reuse.accept("#7 sha256:" + "a".repeat(64) + " 1.06MB / 1.06MB done");
    reuse.accept("#7 0.196 building");
    reuse.accept("#7 DONE 1.4s");

    assertThat(reuse.counts()).isEqualTo(new StepReuse.Counts(0, 0));
  }

  @Test
  void counts_namedStageSteps_recognisedAsSteps() {
    StepReuse reuse = new StepReuse();
    reuse.accept("#8 [build 2/4] COPY go.mod .");
    reuse.accept("#8 CACHED");
    reuse.accept("#9 [stage-1 3/3] COPY --from=build /out /app");
    reuse.accept("#9 extracting sha256:" + "b".repeat(64) + " 0.1s done");
    reuse.accept("#9 DONE 0.1s");

    assertThat(reuse.counts()).isEqualTo(new StepReuse.Counts(2, 1));
  }

  private static StepReuse.Counts countsOf(String recording) throws IOException {
    StepReuse reuse = new StepReuse();
    try (InputStream in = StepReuseTest.class.getResourceAsStream("/buildctl-progress/" + recording)) {
      new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().forEach(reuse::accept);
    }
    return reuse.counts();
  }
}
