package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegistryCacheTest {
  private static final String TAG_RULE = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";
  private static final String REPO = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app";

  @Test
  void tag_plainBranch_prefixedBranch() {
    assertThat(RegistryCache.tag("main")).isEqualTo("buildcache-main");
    assertThat(RegistryCache.tag("release-1.2")).isEqualTo("buildcache-release-1.2");
  }

  @Test
  void tag_branchWithSlash_replacedAndHashedSoSimilarNamesDiffer() {
    String slash = RegistryCache.tag("feature/x");
    String dash = RegistryCache.tag("feature-x");

    assertThat(slash).startsWith("buildcache-feature-x-").matches(TAG_RULE).hasSize("buildcache-feature-x-".length() + 8);
    assertThat(dash).isEqualTo("buildcache-feature-x");
  }

  @Test
  void tag_longestBranch_stillAValidTag() {
    assertThat(RegistryCache.tag("b".repeat(255))).matches(TAG_RULE);
    assertThat(RegistryCache.tag("a/" + "b".repeat(253))).matches(TAG_RULE);
  }

  @Test
  void buildctlArgs_featureBranch_exportsOwnTagImportsOwnThenFallback() {
    assertThat(new RegistryCache(true, "main").buildctlArgs(REPO, "dev", false)).containsExactly(
        "--export-cache", "type=registry,ref=" + REPO + ":buildcache-dev,mode=max,image-manifest=true,"
            + "oci-mediatypes=true,ignore-error=true",
        "--import-cache", "type=registry,ref=" + REPO + ":buildcache-dev",
        "--import-cache", "type=registry,ref=" + REPO + ":buildcache-main");
  }

  @Test
  void buildctlArgs_fallbackBranchItself_importedOnce() {
    assertThat(new RegistryCache(true, "main").importRefs(REPO, "main")).containsExactly(REPO + ":buildcache-main");
  }

  @Test
  void buildctlArgs_insecureLoopbackRegistry_everyRefMarkedInsecure() {
    assertThat(new RegistryCache(true, "").buildctlArgs("127.0.0.1:5000/app", "dev", true)).containsExactly(
        "--export-cache", "type=registry,ref=127.0.0.1:5000/app:buildcache-dev,mode=max,image-manifest=true,"
            + "oci-mediatypes=true,ignore-error=true,registry.insecure=true",
        "--import-cache", "type=registry,ref=127.0.0.1:5000/app:buildcache-dev,registry.insecure=true");
  }

  @Test
  void buildctlArgs_off_none() {
    RegistryCache off = new RegistryCache(false, "main");

    assertThat(off.buildctlArgs(REPO, "dev", false)).isEmpty();
    assertThat(off.exportRef(REPO, "dev")).isNull();
  }
}
