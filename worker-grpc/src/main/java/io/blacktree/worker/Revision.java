package io.blacktree.worker;

import java.net.URI;

/**
 * The commit a job builds and the URL it was cloned from (no credentials in it): what the image's labels and
 * provenance name as its source.
 */
record Revision(String sha, URI cloneUrl) {}
