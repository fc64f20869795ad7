package io.blacktree.worker;

import java.util.List;

/**
 * What a builder built and published, whichever builder it was: the image's reference and digest in the
 * registry (what a later attestation step signs), every tag it holds, and what the caches saved.
 *
 * @param imageUrl         {@code <registry>/<repo>:<version>}
 * @param digest           manifest digest of the pushed image ({@code sha256:...})
 * @param tags             full references of every tag now pointing at {@code digest}, the version tag first
 * @param alreadyPushed    an earlier attempt of this job had pushed the image: nothing was pushed again
 * @param cachedSteps      build steps served from the builder's caches (local and registry)
 * @param remoteCachedSteps of those, the steps loaded from the fleet's registry cache (built on another host or
 *                         by an earlier build this host no longer holds); 0 for the engine builder
 * @param layersExisting   layers the registry already had
 * @param layersUploaded   layers uploaded by this job
 * @param bytesUploaded    bytes of the uploaded layers (0 where the builder does not report them)
 * @param builder          which builder built it ({@code buildkit} or {@code engine})
 */
record Published(String imageUrl, String digest, List<String> tags, boolean alreadyPushed, int cachedSteps,
    int remoteCachedSteps, int layersExisting, int layersUploaded, long bytesUploaded, String builder) {
  Published {
    tags = List.copyOf(tags);
  }
}
