package io.blacktree.worker;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link WorkerProvenanceIT}'s cases on the BuildKit builder (that class runs on the engine builder, the test
 * default): the provenance step runs after either builder's push, so the same attestation verifies with cosign
 * and {@link io.blacktree.worker.provenance.ProvenanceVerifier}, and the same forgeries are rejected.
 */
class WorkerProvenanceBuildKitIT extends WorkerProvenanceIT {
  @BeforeAll
  static void buildkit() {
    WorkerFixture.requireBuildKit();
  }

  @Override
  WorkerConfig.Builder configure(WorkerConfig.Builder defaults) {
    return super.configure(defaults).builderMode(BuilderSettings.Mode.BUILDKIT);
  }
}
