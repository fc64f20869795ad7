package io.blacktree.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a successful job reused instead of redoing, as the build worker reported it (its reuse summary): the
 * figures {@code blacktree jobs show} prints and the result message carries.
 *
 * @param cachedBuildSteps       build steps served from the builder's caches (local and registry)
 * @param remoteCachedBuildSteps of those, the steps loaded from the fleet's registry cache (built on another host);
 *                               a lower bound, 0 on the engine builder
 * @param layersInRegistry       layers the registry already had
 * @param layersPushed           layers uploaded by the job
 * @param mirrorHit              the worker's git mirror of the repository already existed and was usable
 * @param alreadyPushed          the tag already held this job's image from an earlier attempt: nothing was pushed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BuildReuse(
    @JsonProperty("cached_build_steps") int cachedBuildSteps,
    @JsonProperty("remote_cached_build_steps") int remoteCachedBuildSteps,
    @JsonProperty("layers_in_registry") int layersInRegistry,
    @JsonProperty("layers_pushed") int layersPushed,
    @JsonProperty("mirror_hit") boolean mirrorHit,
    @JsonProperty("already_pushed") boolean alreadyPushed) {

  /**
   * One line for people, the worker's {@code reuse:} log line in short: {@code 4 cached steps (3 from the registry
   * cache), 2 layers already in registry, 1 pushed, git mirror hit}.
   */
  public String describe() {
    return cachedBuildSteps + " cached steps (" + remoteCachedBuildSteps + " from the registry cache), "
        + layersInRegistry + " layers already in registry, " + layersPushed + " pushed, git mirror "
        + (mirrorHit ? "hit" : "miss") + (alreadyPushed ? ", image already pushed" : "");
  }
}
