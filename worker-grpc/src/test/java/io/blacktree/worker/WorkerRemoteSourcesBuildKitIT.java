package io.blacktree.worker;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link WorkerRemoteSourcesIT}'s cases on the BuildKit builder ({@code --builder buildkit}, the buildkitd
 * {@code scripts/services} starts): the same refusals before anything is fetched, and the allowed {@code ADD}
 * fetched by buildkitd.
 */
class WorkerRemoteSourcesBuildKitIT extends WorkerRemoteSourcesIT {
  @BeforeAll
  static void buildkit() {
    WorkerFixture.requireBuildKit();
  }

  @Override
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    return super.configure(defaults).builderMode(BuilderSettings.Mode.BUILDKIT);
  }
}
